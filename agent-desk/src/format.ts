import { ROLE_NAMES_ZH } from '../../core/browser.js';

export { ROLE_NAMES_ZH };

export const pct = (v: number | null | undefined) => (v == null ? '—' : `${(v * 100).toFixed(1)}%`);

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function seconds(s: number | null | undefined): string {
  if (s == null) return '—';
  const m = Math.floor(s / 60);
  return m ? `${m}分${Math.round(s % 60)}秒` : `${Math.round(s)}秒`;
}

export const OUTCOME_ZH: Record<string, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
  unsolved: '未解决',
  unreachable: '未接通',
};

export const AGENT_STATE_ZH: Record<string, string> = {
  available: '空闲',
  on_call: '通话中',
  after_call: '话后处理',
  paused: '小休',
  offline: '离线',
};
