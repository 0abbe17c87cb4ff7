import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  bundledModelDir,
  createClassifier,
  listVersions,
  loadBaseData,
  promote,
  rollback,
  runTrainingCycle,
  versionsDir,
} from '../../classifier/index.js';
import { isHotlineError } from '../../core/index.js';
import { dispatchSettingsFrom, proposalRoute } from '../../dispatch/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { type Command, UsageError } from './command.js';

const log = (line: string) => console.error(line);

function printCycle(r: Awaited<ReturnType<typeof runTrainingCycle>>): void {
  const m = r.metrics;
  console.log(`version ${r.version} written to ${r.path}`);
  console.log(
    `holdout accuracy: natural ${m.natural.accuracy} (macro-F1 ${m.natural.macroF1}, n=${m.natural.n}), ` +
      `segmented ${m.segmented.accuracy} (n=${m.segmented.n}), all ${m.all.accuracy} (n=${m.all.n})`,
  );
  if (r.corrections) console.log(`trained with ${r.corrections} dispatcher corrections`);
  if (r.emergencyDecisions) console.log(`emergency head trained with ${r.emergencyDecisions} transfer, referral and dispatch decisions`);
  const e = r.emergency;
  if (e) {
    console.log(
      `emergency (threshold ${e.threshold}): recall on held-out seed emergencies rules ${e.metrics.recall.rules}, ` +
        `model ${e.metrics.recall.model}, both ${e.metrics.recall.combined} (n=${e.metrics.recall.n}); ` +
        `false alarms on ordinary messages rules ${e.metrics.baseAlarms.rules}, model ${e.metrics.baseAlarms.model}, both ${e.metrics.baseAlarms.combined}`,
    );
  }
  if (r.active) console.log(`active model ${r.active.version} on the same holdout: all ${r.active.metrics.all?.accuracy}`);
  if (r.promoted) console.log(`promoted: ${r.version} is now the active classifier`);
  else if (r.refusal) console.log(`not promoted: ${r.refusal}. Use --force to promote it anyway.`);
  else console.log(r.registered ? 'registered, not promoted' : 'not registered (--no-register)');
}

export const classifierCommands: Command[] = [
  {
    path: ['classify'],
    summary: 'Classify case texts: JSON lines {"text","id"} in, one proposal per line out',
    usage: `hotline classify [FILE.jsonl|-]
  Reads JSON lines with "text" (and an optional "id" and "address") from FILE or standard input
  and prints one JSON line each: {"id","category","categoryName","path":[{"code","name"}],
  "department","departmentSource","place","emergency":{"is","line","reason","score"},
  "top":[{"category","name","p","path"}],"topLevel","evidence","model"}. The category is a leaf
  of the site's catalogue; the department follows the routing catalogue (a place override when
  the address resolves to a street, community or grid).
  A line that cannot be classified prints {"id","error"}; the exit code is then 1.`,
    allowPositionals: true,
    async run({ positionals }) {
      if (positionals.length > 1) throw new UsageError('Give at most one FILE (or - for standard input).');
      const file = positionals[0];
      if (file && file !== '-' && !existsSync(file)) throw new UsageError(`${file} does not exist.`);
      const config = loadConfig();
      const rt = await openRuntime(config);
      const classifier = createClassifier({
        db: rt.db,
        modelsDir: config.modelsDir,
        topK: config.values.CLASSIFIER_TOP_K,
        route: proposalRoute(dispatchSettingsFrom(config.values)),
      });
      let failed = 0;
      try {
        const input = file && file !== '-' ? createReadStream(file, 'utf8') : process.stdin;
        let n = 0;
        for await (const line of createInterface({ input, crlfDelay: Infinity })) {
          n++;
          if (!line.trim()) continue;
          let id: string | null = null;
          try {
            let row: { text?: unknown; id?: unknown; address?: unknown };
            try {
              row = JSON.parse(line);
            } catch {
              throw new Error(`line ${n} is not JSON: give one object such as {"id":"1","text":"..."} per line.`);
            }
            if (row === null || typeof row !== 'object') throw new Error(`line ${n} is not a JSON object with "text".`);
            id = row.id === undefined || row.id === null ? null : String(row.id);
            if (typeof row.text !== 'string') throw new Error(`line ${n} has no "text" string.`);
            const address = typeof row.address === 'string' ? row.address : null;
            console.log(JSON.stringify(await classifier.classify(row.text, { id, address })));
          } catch (err) {
            if (!isHotlineError(err) && !(err instanceof Error && err.message.startsWith('line '))) throw err;
            failed++;
            const message = err.message.startsWith('line ') ? err.message : `line ${n}: ${err.message}`;
            console.log(JSON.stringify({ id, error: message }));
            console.error(`hotline classify: ${message}`);
          }
        }
      } finally {
        await classifier.close();
        await rt.close();
      }
      return failed ? 1 : 0;
    },
  },
  {
    path: ['classifier', 'train'],
    summary: 'Train a classifier version on the base data (SHARED_DIR/text), evaluate it on the fixed holdout and register it',
    usage: `hotline classifier train [--out DIR] [--version NAME] [--no-register] [--promote] [--force]
  Writes model.onnx and meta.json to DIR (default CLASSIFIER_VERSIONS_DIR/NAME) and registers
  the version. It becomes active when none is, or with --promote (refused when worse than the
  active model unless --force).`,
    options: {
      out: { type: 'string' },
      version: { type: 'string' },
      'no-register': { type: 'boolean', default: false },
      promote: { type: 'boolean', default: false },
      force: { type: 'boolean', default: false },
    },
    async run({ values }) {
      const config = loadConfig();
      const base = loadBaseData(config.sharedDir);
      const register = values['no-register'] !== true;
      const rt = await openRuntime(config);
      try {
        const hasActive = register && (await listVersions(rt.db)).some((v) => v.active);
        const r = await runTrainingCycle({
          db: rt.db,
          base,
          versionsDir: versionsDir(config),
          outDir: values.out as string | undefined,
          version: values.version as string | undefined,
          withCorrections: false,
          register,
          promote: values.force ? 'force' : values.promote || !hasActive ? 'gate' : 'never',
          log,
        });
        printCycle(r);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['classifier', 'retrain'],
    summary: 'Retrain on the base data plus dispatchers\u2019 corrections; promote unless worse than the active model',
    usage: `hotline classifier retrain [--force] [--no-promote] [--version NAME]
  Trains on SHARED_DIR/text plus classifier_feedback, evaluates on the fixed holdout, registers
  the version with its metrics and promotes it unless it is worse than the active model on the
  same holdout (--force promotes anyway; --no-promote only registers).`,
    options: {
      force: { type: 'boolean', default: false },
      'no-promote': { type: 'boolean', default: false },
      version: { type: 'string' },
    },
    async run({ values }) {
      if (values.force && values['no-promote']) throw new UsageError('--force and --no-promote contradict each other: give one.');
      const config = loadConfig();
      const base = loadBaseData(config.sharedDir);
      const rt = await openRuntime(config);
      try {
        const r = await runTrainingCycle({
          db: rt.db,
          base,
          versionsDir: versionsDir(config),
          bundledDir: bundledModelDir(config),
          version: values.version as string | undefined,
          withCorrections: true,
          promote: values.force ? 'force' : values['no-promote'] ? 'never' : 'gate',
          log,
        });
        printCycle(r);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['classifier', 'promote'],
    summary: 'Make a classifier version active (refused when worse than the active one unless --force)',
    usage: 'hotline classifier promote [--force] VERSION',
    options: { force: { type: 'boolean', default: false } },
    allowPositionals: true,
    async run({ values, positionals }) {
      if (positionals.length !== 1) throw new UsageError('Give exactly one VERSION (see hotline classifier models).');
      const rt = await openRuntime(loadConfig());
      try {
        const r = await promote(rt.db, positionals[0] as string, { force: values.force === true });
        console.log(r.changed ? `promoted ${r.version} (was ${r.from ?? 'none'})` : `${r.version} is already active`);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['classifier', 'rollback'],
    summary: 'Re-activate the classifier version that was active before the current one',
    usage: 'hotline classifier rollback',
    async run() {
      const rt = await openRuntime(loadConfig());
      try {
        const r = await rollback(rt.db);
        console.log(`rolled back from ${r.from} to ${r.version}`);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['classifier', 'models'],
    summary: 'List classifier versions with their holdout accuracy',
    usage: 'hotline classifier models',
    async run() {
      const config = loadConfig();
      const rt = await openRuntime(config);
      try {
        const versions = await listVersions(rt.db);
        if (!versions.length) console.log('no classifier versions registered yet (the shipped model registers itself on first use)');
        for (const v of versions) {
          const m = v.metrics;
          console.log(
            `${v.active ? '*' : ' '} ${v.version.padEnd(24)} natural ${m.natural?.accuracy ?? '-'}  all ${m.all?.accuracy ?? '-'}  ${v.notes ?? ''}  ${v.path}`,
          );
        }
      } finally {
        await rt.close();
      }
    },
  },
];
