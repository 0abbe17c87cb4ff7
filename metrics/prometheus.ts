/**
 * GET /metrics through prom-client: the wallboard's figures as gauges in a registry of the
 * module's own (not prom-client's global one, which any other library in the process may
 * fill), served together with the process metrics (CPU, memory, event-loop lag, GC).
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Wallboard } from './wallboard.js';

/** Name, help and the figure of one gauge; a null figure (no calls yet today...) writes no sample. */
const FIGURES: readonly [string, string, (w: Wallboard) => number | null][] = [
  ['hotline_calls_waiting', 'Inbound calls waiting for an agent now', (w) => w.queue.waiting],
  ['hotline_calls_longest_wait_seconds', 'Wait of the longest-waiting call now', (w) => w.queue.longestWaitSeconds],
  ['hotline_calls_in_progress', 'Calls being handled by an agent now', (w) => w.queue.inProgress],
  ['hotline_calls_offered_today', 'Inbound calls offered today', (w) => w.calls.offered],
  ['hotline_calls_answered_today', 'Inbound calls answered today', (w) => w.calls.answered],
  ['hotline_calls_abandoned_today', 'Inbound calls abandoned today', (w) => w.calls.abandoned],
  ['hotline_answer_rate_today', 'Answered / offered today (0-1)', (w) => w.calls.answerRate],
  ['hotline_service_level_15s_today', 'Answered within 15 s / offered today (0-1)', (w) => w.calls.serviceLevel15s],
  ['hotline_avg_handling_seconds_today', 'Mean talk time of calls answered today', (w) => w.calls.avgHandlingSeconds],
  ['hotline_work_orders_created_today', 'Work orders created today', (w) => w.cases.created],
  ['hotline_work_orders_dispatched_today', 'Work orders dispatched today', (w) => w.cases.dispatched],
  ['hotline_work_orders_closed_today', 'Work orders closed today', (w) => w.cases.closed],
  ['hotline_work_orders_overdue', 'Open work orders past their deadline now', (w) => w.cases.overdueNow],
  ['hotline_on_time_rate_today', 'On-time completion rate today (0-1)', (w) => w.cases.onTimeRate],
  ['hotline_resolution_rate_today', 'Resolution rate of work orders created today (0-1)', (w) => w.cases.resolutionRate],
  ['hotline_satisfaction_rate_today', 'Satisfaction rate of callbacks today (0-1)', (w) => w.cases.satisfactionRate],
  ['hotline_reopen_rate_today', 'Reopened / surveyed today (0-1)', (w) => w.cases.reopenRate],
];

let processRegistry: Registry | undefined;

/**
 * The process metrics, collected once per process: each collection starts its own event-loop
 * monitor and GC observer, which cannot be stopped, so servers started one after another
 * in one process (the tests) share this one.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export interface WallboardExporter {
  /** The exposition format's content type (text 0.0.4). */
  readonly contentType: string;
  /** The figures of `w` and the process metrics, as the scrape's answer. */
  scrape(w: Wallboard): Promise<string>;
}

export function wallboardExporter(): WallboardExporter {
  const registry = new Registry();
  const gauges = FIGURES.map(([name, help, figure]) => ({ gauge: new Gauge({ name, help, registers: [registry] }), figure }));
  const agents = new Gauge({ name: 'hotline_agents', help: 'Agents by state now', labelNames: ['state'], registers: [registry] });
  const all = Registry.merge([registry, processMetrics()]);
  // One scrape at a time: the gauges hold one wallboard's figures until its text is written.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    contentType: registry.contentType,
    scrape(w) {
      const next = previous.then(() => {
        for (const { gauge, figure } of gauges) {
          const v = figure(w);
          if (v == null) gauge.remove();
          else gauge.set(v);
        }
        agents.reset();
        for (const [state, n] of Object.entries(w.agents ?? {})) agents.set({ state }, n);
        return all.metrics();
      });
      previous = next.catch(() => {});
      return next;
    },
  };
}
