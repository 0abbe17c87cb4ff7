/**
 * A period report as CSV (UTF-8 with a byte-order mark, so Excel on a Chinese Windows
 * reads it right) and as XLSX (one sheet per table, through exceljs).
 */
import ExcelJS from 'exceljs';
import type { Breakdown } from './figures.js';
import type { Report } from './report.js';

const pct = (v: number | null) => (v == null ? '' : `${(v * 100).toFixed(1)}%`);

/** The summary as label/value pairs, in the order people read them. */
export function summaryRows(r: Report): [string, string | number][] {
  const c = r.calls;
  const w = r.cases;
  return [
    ['统计周期', `${r.from} 至 ${r.to}`],
    ['呼入总量', c.offered],
    ['接通量', c.answered],
    ['放弃量', c.abandoned],
    ['接通率', pct(c.answerRate)],
    ['15秒内接通率', pct(c.serviceLevel15s)],
    ['平均通话时长(秒)', c.avgHandlingSeconds ?? ''],
    ['新建工单', w.created],
    ['派发工单', w.dispatched],
    ['办结工单', w.closed],
    ['当前超期工单', w.overdueNow],
    ['按时办结率', pct(w.onTimeRate)],
    ['办结率', pct(w.resolutionRate)],
    ['回访量', w.surveyed],
    ['满意率', pct(w.satisfactionRate)],
    ['重办率', pct(w.reopenRate)],
  ];
}

const BREAKDOWN_HEADER = ['名称', '新建', '办结', '当前超期', '按时办结率', '满意率'];
const breakdownRow = (b: Breakdown) => [b.name, b.created, b.closed, b.overdueNow, pct(b.onTimeRate), pct(b.satisfactionRate)];

const TABLES = (r: Report): [string, Breakdown[]][] => [
  ['按日', r.byDay],
  ['按类别', r.byCategory],
  ['按部门', r.byDepartment],
];

function csvCell(v: string | number): string {
  let s = String(v);
  // A cell starting with = + - @ would run as a formula in a spreadsheet.
  if (/^[=+\-@]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function reportCsv(r: Report): string {
  const lines: string[] = [['指标', '数值'].join(',')];
  for (const row of summaryRows(r)) lines.push(row.map(csvCell).join(','));
  for (const [title, rows] of TABLES(r)) {
    lines.push('', csvCell(title), BREAKDOWN_HEADER.join(','));
    for (const b of rows) lines.push(breakdownRow(b).map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export async function reportXlsx(r: Report): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '12345 Hotline';
  wb.created = new Date();
  const summary = wb.addWorksheet('汇总');
  summary.columns = [
    { header: '指标', key: 'k', width: 22 },
    { header: '数值', key: 'v', width: 26 },
  ];
  for (const [k, v] of summaryRows(r)) summary.addRow({ k, v });
  summary.getRow(1).font = { bold: true };
  for (const [title, rows] of TABLES(r)) {
    const ws = wb.addWorksheet(title);
    ws.addRow(BREAKDOWN_HEADER).font = { bold: true };
    for (const b of rows) ws.addRow(breakdownRow(b));
    ws.getColumn(1).width = 24;
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
