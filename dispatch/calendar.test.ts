import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  addWorkdays,
  addWorkingMs,
  computeDeadline,
  type DayKind,
  deadlineUsed,
  isWorkday,
  localDay,
  parseWorkHours,
  resumeDeadline,
  resumeStart,
  subtractWorkingMs,
  type WorkCalendar,
  workingMsBetween,
} from './calendar.js';

// China's 2026 schedule, as the 0100 migration seeds it.
const HOLIDAYS_2026 = [
  '01-01 01-02 01-03',
  '02-15 02-16 02-17 02-18 02-19 02-20 02-21 02-22 02-23',
  '04-04 04-05 04-06',
  '05-01 05-02 05-03 05-04 05-05',
  '06-19 06-20 06-21',
  '09-25 09-26 09-27',
  '10-01 10-02 10-03 10-04 10-05 10-06 10-07',
].flatMap((s) => s.split(' ').map((d) => `2026-${d}`));
const WORKDAYS_2026 = ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'];

const overrides = new Map<string, DayKind>([
  ...HOLIDAYS_2026.map((d) => [d, 'holiday'] as [string, DayKind]),
  ...WORKDAYS_2026.map((d) => [d, 'workday'] as [string, DayKind]),
]);
const cal: WorkCalendar = { overrides, periods: parseWorkHours('09:00-12:00,13:30-17:30'), utcOffsetMinutes: 480 };

/** A Beijing wall-clock time. */
const t = (s: string) => Date.parse(`${s.replace(' ', 'T')}:00+08:00`);
const show = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const H = 3_600_000;

describe('workdays', () => {
  test('weekends rest, holidays rest, make-up weekends work', () => {
    const day = (s: string) => localDay(cal, t(`${s} 12:00`));
    assert.equal(isWorkday(cal, day('2026-11-20')), true, 'a Friday');
    assert.equal(isWorkday(cal, day('2026-11-21')), false, 'a Saturday');
    assert.equal(isWorkday(cal, day('2026-11-22')), false, 'a Sunday');
    assert.equal(isWorkday(cal, day('2026-10-05')), false, 'National Day, a Monday');
    assert.equal(isWorkday(cal, day('2026-02-14')), true, 'Spring Festival make-up Saturday');
    assert.equal(isWorkday(cal, day('2026-01-04')), true, 'New Year make-up Sunday');
    // Local midnight, not UTC midnight, decides the day: 00:30 Beijing is still the previous UTC day.
    assert.equal(isWorkday(cal, localDay(cal, t('2026-11-23 00:30'))), true, 'Monday 00:30 Beijing');
    assert.equal(isWorkday(cal, localDay(cal, t('2026-11-22 23:30'))), false, 'Sunday 23:30 Beijing');
  });

  const cases: [string, number, string, string][] = [
    ['2026-11-20 10:00', 1, '2026-11-23 17:30', 'Friday + 1 = Monday'],
    ['2026-11-21 10:00', 1, '2026-11-23 17:30', 'arriving on a Saturday counts from Monday'],
    ['2026-11-23 08:00', 5, '2026-11-30 17:30', 'five workdays span a weekend'],
    ['2026-02-13 10:00', 1, '2026-02-14 17:30', 'the make-up Saturday before Spring Festival counts'],
    ['2026-02-13 10:00', 2, '2026-02-24 17:30', 'the nine days of Spring Festival do not'],
    ['2026-02-27 10:00', 1, '2026-02-28 17:30', 'the make-up Saturday after Spring Festival counts'],
    ['2025-12-31 10:00', 1, '2026-01-04 17:30', 'New Year holidays then the make-up Sunday'],
    ['2026-09-30 10:00', 1, '2026-10-08 17:30', 'National Day week'],
    ['2026-09-30 10:00', 3, '2026-10-10 17:30', 'National Day then the make-up Saturday'],
    ['2026-09-19 10:00', 1, '2026-09-20 17:30', 'the make-up Sunday before Mid-Autumn'],
    ['2026-09-24 10:00', 1, '2026-09-28 17:30', 'Mid-Autumn Friday to Sunday'],
    ['2026-04-30 10:00', 2, '2026-05-07 17:30', 'Labour Day holidays'],
    ['2026-05-08 10:00', 1, '2026-05-09 17:30', 'Labour Day make-up Saturday'],
    ['2026-06-18 10:00', 1, '2026-06-22 17:30', 'Dragon Boat Friday to Sunday'],
  ];
  for (const [start, n, expected, why] of cases) {
    test(`${why}: ${start} + ${n} workdays = ${expected}`, () => {
      assert.equal(show(addWorkdays(cal, t(start), n)), expected);
      assert.equal(show(computeDeadline(cal, t(start), { value: n, unit: 'workdays' })), expected);
    });
  }
});

describe('working hours', () => {
  const cases: [string, number, string, string][] = [
    ['2026-11-23 09:00', 3, '2026-11-23 12:00', 'ending exactly at noon stays at noon'],
    ['2026-11-23 11:00', 2, '2026-11-23 14:30', 'the lunch break does not count'],
    ['2026-11-23 12:30', 1, '2026-11-23 14:30', 'arriving in the lunch break starts at 13:30'],
    ['2026-11-23 07:00', 1, '2026-11-23 10:00', 'arriving before opening starts at 09:00'],
    ['2026-11-23 20:00', 1, '2026-11-24 10:00', 'arriving after closing starts next morning'],
    ['2026-11-20 16:30', 2, '2026-11-23 10:00', 'Friday afternoon into Monday'],
    ['2026-11-21 10:00', 1, '2026-11-23 10:00', 'a Saturday is not worked'],
    ['2026-04-30 17:00', 1, '2026-05-06 09:30', 'over the five Labour Day holidays'],
    ['2026-02-13 17:00', 1, '2026-02-14 09:30', 'into the make-up Saturday'],
    ['2026-11-23 09:00', 24, '2026-11-26 12:00', 'three full days of 7 hours plus 3 hours'],
  ];
  for (const [start, hours, expected, why] of cases) {
    test(`${why}: ${start} + ${hours} h = ${expected}`, () => {
      assert.equal(show(computeDeadline(cal, t(start), { value: hours, unit: 'hours' })), expected);
    });
  }

  test('working time between two instants, either order', () => {
    assert.equal(workingMsBetween(cal, t('2026-11-20 16:00'), t('2026-11-23 10:00')), 2.5 * H);
    assert.equal(workingMsBetween(cal, t('2026-11-23 10:00'), t('2026-11-20 16:00')), -2.5 * H);
    assert.equal(workingMsBetween(cal, t('2026-11-23 12:10'), t('2026-11-23 13:20')), 0, 'all in the lunch break');
    assert.equal(workingMsBetween(cal, t('2026-09-30 17:00'), t('2026-10-08 09:30')), 1 * H, 'over National Day');
    assert.equal(workingMsBetween(cal, t('2026-11-23 09:00'), t('2026-11-24 09:00')), 7 * H, 'one working day is 7 hours');
  });

  test('addWorkingMs and workingMsBetween agree', () => {
    const start = t('2026-02-12 15:47');
    for (const h of [0.25, 1, 3.5, 7, 13, 40]) {
      const end = addWorkingMs(cal, start, h * H);
      assert.equal(workingMsBetween(cal, start, end), h * H, `${h} h from ${show(start)} to ${show(end)}`);
    }
  });
});

describe('deadline use, pause and resume', () => {
  test('the share of time used counts working time only', () => {
    const start = t('2026-11-20 09:00');
    const deadline = computeDeadline(cal, start, { value: 1, unit: 'workdays' }); // Monday 17:30
    // Friday 9:00-17:30 is 7 h of 14 h: half used, though Monday is three calendar days away.
    assert.equal(deadlineUsed(cal, start, deadline, t('2026-11-20 17:30')), 0.5);
    assert.equal(deadlineUsed(cal, start, deadline, t('2026-11-22 12:00')), 0.5, 'the weekend uses nothing');
    assert.equal(deadlineUsed(cal, start, deadline, t('2026-11-23 14:42')), 0.8);
    assert.ok(deadlineUsed(cal, start, deadline, t('2026-11-24 10:00')) > 1, 'overdue');
  });

  test('a rejected extension gives back the working time the pause held', () => {
    const deadline = t('2026-11-23 17:30');
    // Paused Monday 15:30 with 2 h left; resumed Wednesday 9:00: due Wednesday 11:00.
    assert.equal(show(resumeDeadline(cal, deadline, t('2026-11-23 15:30'), t('2026-11-25 09:00'))), '2026-11-25 11:00');
    // Paused over a holiday week: still the same 2 h of work.
    assert.equal(show(resumeDeadline(cal, t('2026-09-30 17:30'), t('2026-09-30 15:30'), t('2026-10-08 16:30'))), '2026-10-09 10:00');
    // Already late when paused: the deadline does not move.
    assert.equal(resumeDeadline(cal, deadline, t('2026-11-24 10:00'), t('2026-11-25 09:00')), deadline);
    // A deadline set on a rest day (an extension granted to Saturday 17:30), paused and
    // resumed at once: it stays on Saturday, not the end of Friday's working time before it.
    const saturday = t('2026-12-12 17:30');
    assert.equal(resumeDeadline(cal, saturday, t('2026-12-02 10:00'), t('2026-12-02 10:00')), saturday);
  });
});

describe('pausing the share of time used', () => {
  test('subtractWorkingMs mirrors addWorkingMs', () => {
    assert.equal(show(subtractWorkingMs(cal, t('2026-11-23 10:00'), 2.5 * H)), '2026-11-20 16:00');
    assert.equal(show(subtractWorkingMs(cal, t('2026-11-23 14:30'), 2 * H)), '2026-11-23 11:00', 'over the lunch break');
    assert.equal(show(subtractWorkingMs(cal, t('2026-10-08 09:30'), 1 * H)), '2026-09-30 17:00', 'back over National Day');
    const end = t('2026-02-24 11:15');
    for (const h of [0.5, 3, 7, 20]) assert.equal(addWorkingMs(cal, subtractWorkingMs(cal, end, h * H), h * H), end, `${h} h`);
  });

  test('after a pause the share used counts only working time outside the pause', () => {
    // Started Monday 9:00 with 7 h; paused at 11:00 (2 h used); resumed Wednesday 9:00.
    const started = t('2026-11-23 09:00');
    const paused = t('2026-11-23 11:00');
    const resumed = t('2026-11-25 09:00');
    const deadline = resumeDeadline(cal, t('2026-11-23 17:30'), paused, resumed);
    const start = resumeStart(cal, started, paused, resumed);
    assert.equal(show(deadline), '2026-11-25 15:30');
    assert.ok(Math.abs(deadlineUsed(cal, start, deadline, resumed) - 2 / 7) < 1e-9, 'still 2 of 7 hours used');
    assert.equal(deadlineUsed(cal, start, deadline, deadline), 1);
  });
});

describe('bad calendars', () => {
  test('working hours are validated', () => {
    assert.deepEqual(parseWorkHours('13:30-17:30, 09:00-12:00'), [
      [540, 720],
      [810, 1050],
    ]);
    for (const bad of ['9-12', '12:00-09:00', '09:00-12:00,11:00-13:00', '09:00-25:00', '09:70-10:00', '']) {
      assert.throws(() => parseWorkHours(bad), Error, bad);
    }
  });

  test('a calendar without workdays fails with a message instead of looping', () => {
    const allRest: WorkCalendar = { ...cal, overrides: new Map(), periods: [] };
    assert.throws(() => addWorkingMs(allRest, t('2026-11-23 09:00'), H), /no working time/);
    const holidays = new Map<string, DayKind>();
    const everyDay = { ...cal, overrides: holidays };
    for (let d = 0; d < 4000; d++) holidays.set(new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10), 'holiday');
    assert.throws(() => addWorkdays(everyDay, t('2026-01-01 09:00'), 1), /fewer than 1 workdays/);
  });
});
