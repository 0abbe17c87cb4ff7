/** The wallboard in Prometheus' text exposition format (version 0.0.4), for operations. */
import type { Wallboard } from './wallboard.js';

interface Metric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  samples: { labels?: Record<string, string>; value: number | null }[];
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function formatPrometheus(metrics: Metric[]): string {
  const out: string[] = [];
  for (const m of metrics) {
    out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
    for (const s of m.samples) {
      if (s.value == null) continue;
      const labels = s.labels
        ? `{${Object.entries(s.labels)
            .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
            .join(',')}}`
        : '';
      out.push(`${m.name}${labels} ${s.value}`);
    }
  }
  return `${out.join('\n')}\n`;
}

const g = (name: string, help: string, value: number | null): Metric => ({ name, help, type: 'gauge', samples: [{ value }] });

export function wallboardMetrics(w: Wallboard): Metric[] {
  const metrics: Metric[] = [
    g('hotline_calls_waiting', 'Inbound calls waiting for an agent now', w.queue.waiting),
    g('hotline_calls_longest_wait_seconds', 'Wait of the longest-waiting call now', w.queue.longestWaitSeconds),
    g('hotline_calls_in_progress', 'Calls being handled by an agent now', w.queue.inProgress),
    g('hotline_calls_offered_today', 'Inbound calls offered today', w.calls.offered),
    g('hotline_calls_answered_today', 'Inbound calls answered today', w.calls.answered),
    g('hotline_calls_abandoned_today', 'Inbound calls abandoned today', w.calls.abandoned),
    g('hotline_answer_rate_today', 'Answered / offered today (0-1)', w.calls.answerRate),
    g('hotline_service_level_15s_today', 'Answered within 15 s / offered today (0-1)', w.calls.serviceLevel15s),
    g('hotline_avg_handling_seconds_today', 'Mean talk time of calls answered today', w.calls.avgHandlingSeconds),
    g('hotline_work_orders_created_today', 'Work orders created today', w.cases.created),
    g('hotline_work_orders_dispatched_today', 'Work orders dispatched today', w.cases.dispatched),
    g('hotline_work_orders_closed_today', 'Work orders closed today', w.cases.closed),
    g('hotline_work_orders_overdue', 'Open work orders past their deadline now', w.cases.overdueNow),
    g('hotline_on_time_rate_today', 'On-time completion rate today (0-1)', w.cases.onTimeRate),
    g('hotline_resolution_rate_today', 'Resolution rate of work orders created today (0-1)', w.cases.resolutionRate),
    g('hotline_satisfaction_rate_today', 'Satisfaction rate of callbacks today (0-1)', w.cases.satisfactionRate),
    g('hotline_reopen_rate_today', 'Reopened / surveyed today (0-1)', w.cases.reopenRate),
  ];
  if (w.agents) {
    metrics.push({
      name: 'hotline_agents',
      help: 'Agents by state now',
      type: 'gauge',
      samples: Object.entries(w.agents).map(([state, value]) => ({ labels: { state }, value })),
    });
  }
  return metrics;
}
