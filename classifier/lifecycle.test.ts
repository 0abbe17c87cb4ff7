import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { seed } from '../app/seed.js';
import { createTestDb, ENGINES } from '../db/testing.js';
import { ClassifierErrors } from './errors.js';
import { loadCorrections, recordFeedback } from './feedback.js';
import { runTrainingCycle } from './lifecycle.js';
import { activeVersion, gateRefusal, listVersions, promote, rollback } from './registry.js';
import { createClassifier } from './service.js';
import { syntheticRows, TINY_FEATURES, TINY_OPTIONS } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'clf-cycle-'));
after(() => rmSync(root, { recursive: true, force: true }));
const tiny = { features: TINY_FEATURES, options: TINY_OPTIONS };

test('the gate refuses a candidate whose emergency head flags fewer held-out emergencies', () => {
  const acc = (accuracy: number) => ({ all: { n: 100, accuracy, macroF1: accuracy } });
  const em = (model: number) => ({ recall: { n: 50, rules: 0.08, model, combined: model } });
  assert.equal(gateRefusal({ ...acc(0.91), emergency: em(0.78) }, { ...acc(0.91), emergency: em(0.78) }), undefined);
  assert.match(gateRefusal({ ...acc(0.92), emergency: em(0.7) }, { ...acc(0.91), emergency: em(0.78) }) ?? '', /emergency recall 0\.7000/);
  assert.match(gateRefusal({ ...acc(0.9), emergency: em(0.9) }, { ...acc(0.91), emergency: em(0.78) }) ?? '', /holdout accuracy/);
  // An active model from before the emergency head: categories alone decide.
  assert.equal(gateRefusal({ ...acc(0.91), emergency: em(0.1) }, acc(0.91)), undefined);
});

for (const engine of ENGINES) {
  test(`${engine}: train, classify, learn from corrections, gate, promote and roll back`, async () => {
    const db = await createTestDb(engine);
    const dir = join(root, engine);
    const classifier = createClassifier({ db, modelsDir: join(dir, 'none'), activeTtlMs: 0 });
    try {
      await seed(db, { demo: true });
      const base = syntheticRows(30, 11);
      const first = await runTrainingCycle({
        db,
        base,
        versionsDir: dir,
        version: 'v1',
        withCorrections: false,
        promote: 'gate',
        trainOverrides: tiny,
      });
      assert.equal(first.promoted, true, 'the first version becomes active');
      assert.ok(first.metrics.all.accuracy > 0.8, `holdout accuracy ${first.metrics.all.accuracy}`);
      assert.ok(first.metrics.all.n > 0 && first.metrics.natural.n === first.metrics.all.n);

      const r = await classifier.classify('单位拖欠工资半年了，也不给交社保，劳动合同也没签');
      assert.equal(r.category, 'M0503');
      assert.equal(r.categoryName, '工资福利');
      assert.equal(r.topLevel?.category, 'M05');
      assert.equal(r.department, 'dept.hrss');
      assert.ok(r.departmentId && r.categoryId);
      assert.equal(r.model, 'v1');
      assert.equal(r.top.length, 3);
      assert.ok(r.top[0]!.p >= r.top[1]!.p && r.top[0]!.p <= 1);
      assert.equal(r.emergency.is, false);

      // A site that reassigns the category's department gets the new one proposed (the leaf
      // inherits its parent's).
      await db.query(
        `UPDATE categories SET default_department_id = (SELECT id FROM org_units WHERE code = 'dept.urban') WHERE code = 'M05'`,
      );
      assert.equal((await classifier.classify('拖欠工资，社保不交')).department, 'dept.urban');

      // Corrections: a word the base data never saw, confirmed by dispatchers as 环境保护 (M02)
      // through a subcategory, which counts for its first-level class.
      const cat = async (code: string) => (await db.query<{ id: number }>('SELECT id FROM categories WHERE code = $1', [code])).rows[0]!.id;
      const sub = (await db.query<{ id: number }>(`SELECT id FROM categories WHERE parent_id = $1 LIMIT 1`, [await cat('M02')])).rows[0]!
        .id;
      for (let i = 0; i < 12; i++) {
        await recordFeedback(db, {
          text: `河道里有大量死鱼漂浮${i}，水面发黑`,
          finalCategoryId: sub,
          proposedCategoryId: await cat('M03'),
          modelVersion: 'v1',
        });
      }
      const corrections = await loadCorrections(db, ['M01', 'M02', 'M03', 'M04', 'M05', 'M06', 'M07']);
      assert.equal(corrections.length, 12);
      assert.ok(corrections.every((c) => c.category === 'M02'));
      const before = await classifier.classify('河道里有大量死鱼漂浮');
      // The decisions count at once, before any retraining: the leaf they chose is proposed.
      const subCode = (await db.query<{ code: string }>('SELECT code FROM categories WHERE id = $1', [sub])).rows[0]!.code;
      assert.equal(before.category, subCode);
      assert.ok(before.evidence.corrections >= 1);
      const second = await runTrainingCycle({
        db,
        base,
        versionsDir: dir,
        version: 'v2',
        withCorrections: true,
        promote: 'gate',
        trainOverrides: tiny,
      });
      assert.equal(second.corrections, 12);
      assert.equal(second.promoted, true, `refused: ${second.refusal}`);
      const afterRetrain = await classifier.classify('河道里有大量死鱼漂浮');
      assert.equal(afterRetrain.topLevel?.category, 'M02', `before retraining the model said ${before.topLevel?.category}`);
      assert.equal(afterRetrain.category, subCode);
      assert.equal(afterRetrain.model, 'v2');

      // Many wrong corrections make a worse model: registered, not promoted.
      const wrong = await cat('M06');
      for (const row of base.filter((b) => b.category === '教育文体').slice(0, 30)) {
        for (let k = 0; k < 3; k++) await recordFeedback(db, { text: row.text, finalCategoryId: wrong });
      }
      const third = await runTrainingCycle({
        db,
        base,
        versionsDir: dir,
        version: 'v3',
        withCorrections: true,
        promote: 'gate',
        trainOverrides: tiny,
      });
      assert.equal(third.promoted, false);
      assert.match(third.refusal ?? '', /below the active model/);
      assert.ok(third.metrics.all.accuracy < (third.active?.metrics.all.accuracy ?? 0));
      assert.equal((await activeVersion(db))?.version, 'v2');
      assert.deepEqual((await listVersions(db)).map((v) => v.version).sort(), ['v1', 'v2', 'v3']);

      await assert.rejects(
        runTrainingCycle({ db, base, versionsDir: dir, version: 'v1', withCorrections: false, promote: 'gate', trainOverrides: tiny }),
        ClassifierErrors.CLASSIFIER_VERSION_EXISTS.is,
      );

      // Promoting it by hand is refused the same way, unless forced.
      await assert.rejects(promote(db, 'v3'), ClassifierErrors.CLASSIFIER_PROMOTION_REFUSED.is);
      await assert.rejects(promote(db, 'nope'), ClassifierErrors.CLASSIFIER_VERSION_NOT_FOUND.is);
      assert.deepEqual(await promote(db, 'v3', { force: true }), { version: 'v3', from: 'v2', changed: true });
      assert.equal((await classifier.classify('学校乱收费')).model, 'v3');

      // Rollback walks back through the promotions: v3 → v2 → v1, then nothing earlier.
      assert.equal((await rollback(db)).version, 'v2');
      assert.equal((await rollback(db)).version, 'v1');
      await assert.rejects(rollback(db), ClassifierErrors.CLASSIFIER_NO_EARLIER_VERSION.is);
      assert.equal((await classifier.classify('学校乱收费')).model, 'v1');
    } finally {
      await classifier.close();
      await db.destroy();
    }
  });
}
