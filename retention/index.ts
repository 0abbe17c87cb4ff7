/**
 * retention: the site's policy for how long transcripts, personal data and the audit
 * trail are kept; a daily sweep and `hotline retention plan|apply`.
 */
import type { ModuleContext } from '../core/index.js';
import { applyRetention, type RetentionPolicy } from './policy.js';

export {
  applyRetention,
  MIN_AUDIT_DAYS,
  RETENTION_SETTINGS,
  type RetentionPlan,
  type RetentionPolicy,
  type RetentionResult,
  type RetentionSettingValues,
  retentionPlan,
  retentionPolicyFrom,
} from './policy.js';

/** Starts the periodic sweep (first run one minute after start); returns its stop function. */
export function startRetentionSweep(ctx: Pick<ModuleContext, 'db' | 'log'>, policy: RetentionPolicy): () => void {
  if (policy.sweepHours <= 0) return () => {};
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const removed = await applyRetention(ctx.db, policy, 'sweep');
      if (Object.values(removed).some((n) => n > 0)) ctx.log.info({ removed }, 'retention policy applied');
    } catch (err) {
      ctx.log.error({ err }, 'retention sweep failed; it runs again at the next interval');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(run, 60_000);
  const every = setInterval(run, policy.sweepHours * 3_600_000);
  first.unref();
  every.unref();
  return () => {
    clearTimeout(first);
    clearInterval(every);
  };
}
