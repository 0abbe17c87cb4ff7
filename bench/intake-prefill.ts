/**
 * Accuracy of the intake prefill on intake/eval/prefill-eval.jsonl: 80 spoken-style
 * transcripts (recogniser output: no punctuation, fillers, 幺/洞, some split over several
 * segments) with the fields a person filled in. Per field: right / proposed / expected,
 * precision (right of proposed) and recall (right of expected). A proposal where none is
 * expected counts against precision. The address is right when it equals the expected text
 * (spaces and fillers aside); "address≈" also accepts one that covers most of it.
 * intake/eval/prefill-holdout.jsonl (40 more, written after the rules and never tuned on)
 * is the fairer figure: pass it as the file.
 * Run: node --import tsx bench/intake-prefill.ts [FILE] [--misses]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type IntakeProposal, proposeIntake, type SegmentInput } from '../intake/index.js';

interface Expected {
  phone?: string;
  address?: string;
  name?: { surname: string; display: string; full?: string };
  requestType?: string;
  anonymous?: true;
}
interface Row {
  id: string;
  segments: SegmentInput[];
  expected: Expected;
}

const file =
  process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '..', 'intake', 'eval', 'prefill-eval.jsonl');
const rows: Row[] = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l) as Row);
const showMisses = process.argv.includes('--misses');

const norm = (s: string) => s.replace(/[\s，。、,.！？!?]|呃|嗯|啊|那个|就是/g, '');
/** Share of characters in common (Dice on character multisets). */
function overlap(a: string, b: string): number {
  const count = new Map<string, number>();
  for (const c of a) count.set(c, (count.get(c) ?? 0) + 1);
  let common = 0;
  for (const c of b) {
    const n = count.get(c) ?? 0;
    if (n > 0) {
      common++;
      count.set(c, n - 1);
    }
  }
  return a.length + b.length ? (2 * common) / (a.length + b.length) : 1;
}

type Field = 'phone' | 'address' | 'address≈' | 'name.surname' | 'name' | 'requestType' | 'anonymous';
const FIELDS: Field[] = ['phone', 'address', 'address≈', 'name.surname', 'name', 'requestType', 'anonymous'];

function judge(
  field: Field,
  p: IntakeProposal,
  e: Expected,
): { proposed: boolean; expected: boolean; right: boolean; got: string; want: string } {
  switch (field) {
    case 'phone':
      return {
        proposed: !!p.phone,
        expected: !!e.phone,
        right: !!e.phone && p.phone?.value === e.phone,
        got: p.phone?.value ?? '',
        want: e.phone ?? '',
      };
    case 'address':
    case 'address≈': {
      const got = p.address?.value ?? '';
      const want = e.address ?? '';
      const right = !!want && !!got && (field === 'address' ? norm(got) === norm(want) : overlap(norm(got), norm(want)) >= 0.8);
      return { proposed: !!got, expected: !!want, right, got, want };
    }
    case 'name.surname':
      return {
        proposed: !!p.name,
        expected: !!e.name,
        right: !!e.name && p.name?.value.surname === e.name.surname,
        got: p.name?.value.surname ?? '',
        want: e.name?.surname ?? '',
      };
    case 'name': {
      const v = p.name?.value;
      const right =
        !!e.name && !!v && v.surname === e.name.surname && v.display === e.name.display && (v.full ?? '') === (e.name.full ?? '');
      return {
        proposed: !!v,
        expected: !!e.name,
        right,
        got: v ? `${v.display}${v.full ? ` (${v.full})` : ''}` : '',
        want: e.name?.display ?? '',
      };
    }
    case 'requestType':
      return {
        proposed: !!p.requestType,
        expected: !!e.requestType,
        right: !!e.requestType && p.requestType?.value === e.requestType,
        got: p.requestType?.value ?? '',
        want: e.requestType ?? '',
      };
    case 'anonymous':
      return {
        proposed: !!p.anonymous,
        expected: !!e.anonymous,
        right: !!e.anonymous && !!p.anonymous,
        got: p.anonymous ? 'true' : '',
        want: e.anonymous ? 'true' : '',
      };
  }
}

const tally = new Map<Field, { right: number; proposed: number; expected: number; misses: string[] }>(
  FIELDS.map((f) => [f, { right: 0, proposed: 0, expected: 0, misses: [] }]),
);
const t0 = performance.now();
const proposals: IntakeProposal[] = [];
for (const r of rows) proposals.push(await proposeIntake(r.segments));
const ms = performance.now() - t0;

rows.forEach((r, i) => {
  const p = proposals[i] as IntakeProposal;
  for (const f of FIELDS) {
    const j = judge(f, p, r.expected);
    const t = tally.get(f) as { right: number; proposed: number; expected: number; misses: string[] };
    if (j.proposed) t.proposed++;
    if (j.expected) t.expected++;
    if (j.right) t.right++;
    if (!j.right && (j.proposed || j.expected)) t.misses.push(`${r.id}: got ${j.got || '—'}, want ${j.want || '—'}`);
  }
});

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '—');
console.log(
  `intake prefill on ${rows.length} transcripts (${file.split('/').slice(-3).join('/')}), ${(ms / rows.length).toFixed(2)} ms each\n`,
);
console.log('field          right / proposed / expected   precision   recall');
for (const f of FIELDS) {
  const t = tally.get(f) as { right: number; proposed: number; expected: number; misses: string[] };
  console.log(
    `${f.padEnd(14)} ${String(t.right).padStart(5)} / ${String(t.proposed).padStart(8)} / ${String(t.expected).padStart(8)}   ${pct(t.right, t.proposed).padStart(9)}   ${pct(t.right, t.expected).padStart(7)}`,
  );
}
if (showMisses) {
  for (const f of FIELDS) {
    const t = tally.get(f) as { misses: string[] };
    if (t.misses.length) console.log(`\n${f}:\n  ${t.misses.join('\n  ')}`);
  }
}
