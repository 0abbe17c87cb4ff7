/**
 * emergency/: the glue of the emergency path. Final transcript segments and agents' notes
 * go through the classifier's rules, then its model; a hit is an `emergency.alert` on the desk's channel at
 * once; one click (or the site's rule) transfers the call to 110/119/120 with a referral.
 */
import type { FastifyInstance } from 'fastify';
import { checkEmergency, listEmergencyRules } from '../classifier/index.js';
import type { ModuleContext, Setting, SettingsValues } from '../core/index.js';
import { describeError } from '../core/index.js';
import type { CallCenter } from '../telephony/index.js';
import { emergencyRoutes } from './routes.js';
import { keywordList, type SpokenRule, spokenRules } from './spoken.js';
import { emergencyTransfer, type TransferDeps } from './transfer.js';
import { type EmergencyWatch, startEmergencyWatch } from './watch.js';

export { EmergencyErrors } from './errors.js';
export { type RecordingEmergency, recordingEmergency } from './recording.js';
export { emergencyRoutes } from './routes.js';
export {
  EmergencyAlertResponse,
  EmergencyAlertsQuery,
  EmergencyCheckRequest,
  EmergencyCheckResponse,
  EmergencyTransferRequest,
  EmergencyTransferResponse,
} from './schemas.js';
export { keywordList, type SpokenRule, spokenRules } from './spoken.js';
export { emergencyTransfer, type TransferDeps, type TransferRequest } from './transfer.js';
export { type EmergencyAlert, type EmergencyWatch, startEmergencyWatch, type WatchOptions } from './watch.js';

export const EMERGENCY_SETTINGS = [
  {
    env: 'EMERGENCY_AUTO_TRANSFER',
    kind: 'list',
    default: '',
    help: 'rule patterns (as in the emergency rules) that transfer the call at once without a click; empty = always by click',
  },
  {
    env: 'EMERGENCY_TRANSFER_MODE',
    kind: 'enum',
    default: 'bridge',
    values: ['bridge', 'blind'],
    help: 'how emergency transfers are made: bridge (a new leg) or blind (REFER)',
  },
] as const satisfies readonly Setting[];

/** The parsed values of EMERGENCY_SETTINGS. */
export type EmergencySettings = SettingsValues<typeof EMERGENCY_SETTINGS>;

export async function registerEmergency(
  app: FastifyInstance,
  ctx: ModuleContext,
  values: EmergencySettings,
  opts: { center?: () => CallCenter | undefined } = {},
): Promise<{ watch: EmergencyWatch; transfer: TransferDeps }> {
  const patterns = new Set(
    values.EMERGENCY_AUTO_TRANSFER.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const transfer: TransferDeps = {
    db: ctx.db,
    bus: ctx.bus,
    center: opts.center ?? (() => app.telephony?.center),
    mode: values.EMERGENCY_TRANSFER_MODE,
  };
  const log = ctx.log.child({ module: 'emergency' });
  // The rules' phrases, spoken: given to the speech engine's keyword spotter at start and
  // whenever a site's edit changes them (checked every 30 s, as other processes may edit).
  let spoken: Map<string, SpokenRule> = new Map();
  let given = '';
  const refreshSpoken = async () => {
    const engine = app.asr?.engine;
    if (!engine?.setKeywords) return;
    const next = spokenRules(await listEmergencyRules(ctx.db));
    const key = [...next.keys()].sort().join('|');
    // Lines and reasons may change without the phrases: the map always, the engine only then.
    spoken = next;
    if (key === given) return;
    const r = await engine.setKeywords(keywordList(next));
    given = key;
    log.info(
      { spotted: r.spotted.length, skipped: r.skipped },
      `emergency: the keyword spotter listens for ${r.spotted.length} phrases of the rules${r.skipped.length ? ` (read in the transcript only: ${r.skipped.join('、')})` : ''}`,
    );
  };
  await refreshSpoken().catch((err) => log.warn({ err: describeError(err) }, 'emergency: the spoken keywords were not set'));
  const spokenTimer = setInterval(() => void refreshSpoken().catch(() => {}), 30_000);
  spokenTimer.unref();
  const watch = startEmergencyWatch({
    spoken: () => spoken,
    bus: ctx.bus,
    check: checkEmergency,
    // The classifier module is mounted before this one; without it the rules alone decide.
    modelCheck: app.classifier?.checkEmergency,
    autoTransferPatterns: patterns,
    autoTransfer: async (alert) => {
      try {
        await emergencyTransfer(transfer, {
          callId: alert.callId as number,
          line: alert.line,
          user: { id: alert.agentId, role: 'system' },
          auto: true,
          reason: `自动转接：${alert.reason}`,
        });
      } catch (err) {
        log.error({ err: describeError(err), callId: alert.callId }, 'automatic emergency transfer failed');
        throw err;
      }
    },
  });
  transfer.excerpt = watch.excerpt;
  await app.register(emergencyRoutes, { watch, transfer });
  app.addHook('onClose', async () => {
    clearInterval(spokenTimer);
    watch.stop();
  });
  return { watch, transfer };
}
