/** `hotline calendar ...` and `hotline workorder ...`: the working-day calendar and deadline checks. */
import { readFile } from 'node:fs/promises';
import {
  type CalendarDay,
  checkDeadlines,
  dispatchSettingsFrom,
  listCalendarYear,
  listWorkOrders,
  replaceCalendarYear,
} from '../../dispatch/index.js';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { type Command, readStdin, UsageError } from './command.js';

function parseYear(text: string | undefined): number {
  const year = Number(text);
  if (!text || !Number.isInteger(year) || year < 2000 || year > 2100)
    throw new UsageError(`Give the YEAR as a number from 2000 to 2100 (got ${text ?? 'nothing'}).`);
  return year;
}

/** Days as JSON ([{day, kind, name}]) or CSV lines "2027-01-01,holiday,元旦". */
export function parseCalendarFile(text: string): CalendarDay[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (err) {
      throw new UsageError(`The file is not valid JSON: ${(err as Error).message}.`);
    }
    if (!Array.isArray(parsed)) throw new UsageError('The JSON must be a list of {"day", "kind", "name"}.');
    return parsed.map((d, i) => checkDay(d?.day, d?.kind, d?.name, `item ${i + 1}`));
  }
  return trimmed
    .split(/\r?\n/)
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line && !line.startsWith('#') && !/^day\s*,/i.test(line))
    .map(([line, n]) => {
      const [day, kind, name] = line.split(',').map((x) => x.trim());
      return checkDay(day, kind, name, `line ${n}`);
    });
}

function checkDay(day: unknown, kind: unknown, name: unknown, where: string): CalendarDay {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new UsageError(`${where}: "${day}" is not a date YYYY-MM-DD.`);
  if (kind !== 'holiday' && kind !== 'workday') throw new UsageError(`${where}: kind "${kind}" must be holiday or workday.`);
  return { day, kind, name: typeof name === 'string' && name ? name : null };
}

export const dispatchCommands: Command[] = [
  {
    path: ['calendar', 'show'],
    summary: "Print a year's public holidays and make-up workdays (as CSV, the format calendar set reads)",
    usage: 'hotline calendar show YEAR',
    allowPositionals: true,
    async run({ positionals }) {
      const year = parseYear(positionals[0]);
      const rt = await openRuntime(loadConfig());
      try {
        const days = await listCalendarYear(rt.db, year);
        console.log('day,kind,name');
        for (const d of days) console.log(`${d.day},${d.kind},${d.name ?? ''}`);
        if (!days.length) console.error(`No holidays or make-up workdays stored for ${year}: weekends rest, weekdays work.`);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['calendar', 'set'],
    summary: "Replace a year's public holidays and make-up workdays from a CSV or JSON file",
    usage: `hotline calendar set YEAR FILE|-
  FILE holds CSV lines "2027-01-01,holiday,元旦" (a "day,kind,name" header is allowed)
  or JSON [{"day": "2027-01-01", "kind": "holiday", "name": "元旦"}]; - reads standard input.`,
    allowPositionals: true,
    async run({ positionals }) {
      if (positionals.length !== 2) throw new UsageError('Give YEAR and FILE.');
      const year = parseYear(positionals[0]);
      const file = positionals[1] as string;
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      } catch (err) {
        throw new UsageError(`Cannot read ${file}: ${(err as Error).message}.`);
      }
      const days = parseCalendarFile(text);
      const rt = await openRuntime(loadConfig());
      try {
        const stored = await replaceCalendarYear(rt.db, year, days);
        const count = (kind: string) => stored.filter((d) => d.kind === kind).length;
        console.log(`${year}: ${count('holiday')} holidays, ${count('workday')} make-up workdays stored`);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['workorder', 'check-deadlines'],
    summary: 'Flag near-deadline and overdue work orders now (the server also does this on a schedule)',
    usage: 'hotline workorder check-deadlines',
    async run() {
      const config = loadConfig();
      const rt = await openRuntime(config);
      try {
        const r = await checkDeadlines(rt.db, rt.bus, dispatchSettingsFrom(config.values));
        console.log(`checked ${r.checked} running cases: ${r.nearDeadline} newly near their deadline, ${r.overdue} newly overdue`);
      } finally {
        await rt.close();
      }
    },
  },
  {
    path: ['workorder', 'overdue'],
    summary: 'List overdue work orders for supervision, oldest deadline first',
    usage: 'hotline workorder overdue [--limit N]',
    options: { limit: { type: 'string', default: '50' } },
    async run({ values }) {
      const limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new UsageError('--limit must be a whole number from 1 to 200.');
      const rt = await openRuntime(loadConfig());
      try {
        const list = await listWorkOrders(
          rt.db,
          { overdue: true, state: ['dispatched', 'in_progress'], sort: 'deadlineAt', order: 'asc', pageSize: limit },
          { id: null, role: 'system', orgUnitId: null },
        );
        for (const w of list.items) {
          console.log(`${w.number}  ${w.stateName}  ${w.departmentName ?? '-'}  deadline ${w.deadlineAt}  督办 ${w.supervisionCount}`);
        }
        console.log(`${list.total} overdue`);
      } finally {
        await rt.close();
      }
    },
  },
];
