/**
 * Starts telephony inside the server: the call centre, the SIP endpoint (when enabled), the
 * routes, the readiness check, and a clean stop (every live call hung up) on close.
 */
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { AsrEngine } from '../asr/index.js';
import type { ModuleContext } from '../core/index.js';
import { CallCenter } from './call-center.js';
import { TelephonyErrors } from './errors.js';
import { telephonyRoutes } from './routes/index.js';
import { type TelephonySettings, telephonyConfig, trunkUri } from './settings.js';
import { SipEndpoint } from './sip-endpoint.js';
import { reconcileLostCalls } from './store.js';
import { readPromptPcm8k } from './wav.js';

export interface Telephony {
  center: CallCenter;
  sip: SipEndpoint | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    telephony?: Telephony;
  }
}

/** A prompt WAV as 8 kHz PCM, or undefined (with a warning) when the file is unusable. */
export function loadPrompt(path: string, warn: (msg: string) => void): Buffer | undefined {
  if (!existsSync(path)) {
    warn(`prompt ${path} not found: callers hear silence there (run telephony/prompts/make-prompts.sh or set the path)`);
    return undefined;
  }
  try {
    return readPromptPcm8k(path);
  } catch (err) {
    warn(`prompt ${path} is unusable: ${(err as Error).message}`);
    return undefined;
  }
}

export async function registerTelephony(
  app: FastifyInstance,
  ctx: ModuleContext,
  values: TelephonySettings,
  opts: { asr?: () => AsrEngine | null | undefined } = {},
): Promise<Telephony> {
  const cfg = telephonyConfig(values);
  const log = ctx.log.child({ module: 'telephony' });
  const warn = (m: string) => log.warn(m);
  // Before any call can arrive (SIP or ingress): every live row is then one this process
  // does not hold, left by a process that stopped without ending it.
  const lost = await reconcileLostCalls(ctx.db);
  if (lost) log.warn({ calls: lost }, 'calls left live by a previous run ended as lost_on_restart');
  let sip: SipEndpoint | null = null;
  let sipProblem = 'SIP is off (SIP_ENABLED=false): calls arrive only through the ingress WebSockets';
  const center = new CallCenter({
    db: ctx.db,
    bus: ctx.bus,
    log,
    // asr/ decorates the server with its engine when it is mounted before telephony.
    asr: opts.asr ?? (() => app.asr?.engine),
    offerTimeoutMs: cfg.offerTimeoutMs,
    prompts: { greeting: loadPrompt(cfg.greetingWav, warn), queue: loadPrompt(cfg.queueWav, warn) },
    emergencyLines: cfg.emergencyLines,
    placeCall: async (uri, o) => {
      if (!sip) throw new Error('the SIP endpoint is not running');
      const target = /^sips?:/.test(uri) ? uri : cfg.outboundTrunk ? trunkUri(uri, cfg.outboundTrunk) : uri;
      return sip.call(target, o);
    },
    outboundProblem: () => {
      if (!cfg.outboundTrunk) return TelephonyErrors.OUTBOUND_TRUNK_MISSING();
      if (!sip) return TelephonyErrors.OUTBOUND_SIP_DOWN({ reason: sipProblem });
      return undefined;
    },
  });
  if (cfg.sipEnabled) {
    try {
      sip = await SipEndpoint.start({
        host: cfg.sipHost,
        port: cfg.sipPort,
        advertiseHost: cfg.advertiseHost,
        transports: cfg.transports,
        acl: cfg.acl,
        auth: cfg.auth,
        maxCalls: cfg.maxCalls,
        maxMessageBytes: cfg.maxMessageBytes,
        tcp: cfg.tcp,
        rtpRange: cfg.rtpRange,
        rtpTimeoutMs: cfg.rtpTimeoutMs,
        log,
        onCall: (call) => {
          center.arrive(call, { emergency: call.emergency }).catch(() => {});
        },
      });
      log.info({ port: sip.port, transports: cfg.transports }, 'SIP endpoint listening');
    } catch (err) {
      // The desk and the ingress keep working; /readyz shows why there is no SIP.
      sipProblem = `SIP endpoint could not start on ${cfg.sipHost}:${cfg.sipPort}: ${(err as Error).message}`;
      log.error(sipProblem);
    }
  }
  ctx.addReadinessCheck('sip', async () =>
    sip
      ? { ok: true, detail: `${cfg.transports.join('+')} port ${sip.port}, ${center.activeCalls} live call(s)` }
      : { ok: !cfg.sipEnabled, detail: sipProblem },
  );
  const telephony = { center, sip };
  app.decorate('telephony', telephony);
  await app.register(telephonyRoutes, { db: ctx.db, center, ingressToken: cfg.ingressToken });
  app.addHook('onClose', async () => {
    await center.close();
    await sip?.stop();
  });
  return telephony;
}
