/**
 * Transfers of an answered call to 110/119/120 or a SIP URI: blind (SIP REFER, progress
 * from its NOTIFYs) or bridged (a new leg through the hotline, the caller's audio relayed
 * both ways). Each transfer is a referral row whose outcome follows the SIP progress.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { EventBus } from '../core/index.js';
import type { Db } from '../db/index.js';
import { sipStatusOf, TelephonyErrors } from './errors.js';
import type { TransferStatus } from './events.js';
import type { CallLeg } from './leg.js';
import type { LiveCall } from './live-call.js';
import { type EndReason, insertReferral, type Referral, updateCall, updateReferral } from './store.js';

const EXCERPT_CHARS = 500;
const DEFAULT_TRANSFER_TIMEOUT_MS = 30_000;

export type EmergencyLines = Partial<Record<'110' | '119' | '120', string>>;

export interface TransferRequest {
  target: string;
  mode: 'blind' | 'bridge';
  reason?: string;
}

/** What a transfer needs of the call centre. */
export interface TransferHost {
  db: Db;
  bus: EventBus;
  log: FastifyBaseLogger;
  placeCall?: (uri: string) => Promise<CallLeg>;
  /** How long a blind transfer may wait for its final NOTIFY. */
  transferTimeoutMs?: number;
  isLive(callId: number): boolean;
  write(call: LiveCall, fn: () => Promise<unknown>): Promise<void>;
  finish(call: LiveCall, reason: EndReason): Promise<void>;
  stopPrompts(call: LiveCall): void;
  /** The agent's part of the call is over (it is bridged to another line). */
  releaseAgent(call: LiveCall): void;
}

type Progress = (status: TransferStatus, sipStatus?: number, detail?: string) => void;
type Failed = (sipStatus: number | undefined, detail: string) => Promise<void>;

/** Resolves "110"/"119"/"120" or a SIP URI to where the call goes. */
export function transferTarget(lines: EmergencyLines, target: string): { line: Referral['line']; uri: string } {
  if (target === '110' || target === '119' || target === '120') {
    const uri = lines[target];
    if (!uri) throw TelephonyErrors.TRANSFER_LINE_NOT_CONFIGURED({ line: target });
    return { line: target, uri };
  }
  if (!/^sips?:[^\s<>"]+$/.test(target)) throw TelephonyErrors.TRANSFER_TARGET_INVALID({ target });
  return { line: 'other', uri: target };
}

/**
 * Starts transferring `call` (answered or held, checked by the caller) and returns its
 * referral at once; the outcome is stored and published as the SIP progress comes.
 */
export async function startTransfer(
  host: TransferHost,
  lines: EmergencyLines,
  call: LiveCall,
  agentId: number,
  req: TransferRequest,
): Promise<Referral> {
  const callId = call.id;
  const { line, uri } = transferTarget(lines, req.target);
  if (req.mode === 'blind' && !call.leg.refer) throw TelephonyErrors.TRANSFER_REFER_UNSUPPORTED({ channel: call.leg.channel });
  if (req.mode === 'bridge' && !host.placeCall) throw TelephonyErrors.TRANSFER_BRIDGE_UNAVAILABLE();
  const excerpt = call.finals.join(' ').slice(-EXCERPT_CHARS);
  const referral = await insertReferral(host.db, { callId, line, target: uri, mode: req.mode, reason: req.reason, excerpt, agentId });
  const prev = call.state;
  call.state = 'transferring';
  void host.write(call, () => updateCall(host.db, call.id, { state: 'transferring' }));
  const progress: Progress = (status, sipStatus, detail) =>
    host.bus.publish('call.transfer', { callId, referralId: referral.id, target: uri, mode: req.mode, status, sipStatus, detail });
  progress('started');
  const failed: Failed = async (sipStatus, detail) => {
    await updateReferral(host.db, referral.id, { outcome: 'failed', sipStatus, detail });
    progress('failed', sipStatus, detail);
    if (host.isLive(callId) && call.state === 'transferring') {
      call.state = prev;
      await host.write(call, () => updateCall(host.db, call.id, { state: prev }));
    }
  };
  // The transfer runs on after this request has been answered: its DB writes may fail
  // (a rejection nothing awaits would end the process), so they are logged with the call.
  const running =
    req.mode === 'blind'
      ? blindTransfer(host, call, referral, uri, progress, failed)
      : bridgeTransfer(host, call, referral, uri, progress, failed);
  running.catch((err) => host.log.error({ err, callId, referralId: referral.id }, 'transfer failed'));
  return referral;
}

async function blindTransfer(host: TransferHost, call: LiveCall, referral: Referral, uri: string, progress: Progress, failed: Failed) {
  let settled = false;
  const timer = setTimeout(() => {
    if (settled) return;
    settled = true;
    failed(undefined, 'no final NOTIFY in time').catch((err) => host.log.error({ err, callId: call.id }, 'transfer timeout'));
  }, host.transferTimeoutMs ?? DEFAULT_TRANSFER_TIMEOUT_MS);
  const onProgress = (status: number, reason: string) => {
    if (settled) return;
    if (status === 202) return progress('accepted', status, reason);
    if (status < 200) return progress(status === 100 ? 'trying' : 'ringing', status, reason);
    settled = true;
    clearTimeout(timer);
    if (status < 300) {
      void (async () => {
        await updateReferral(host.db, referral.id, { outcome: 'connected', sipStatus: status, detail: reason });
        progress('connected', status, reason);
        call.transferred = true;
        await call.leg.hangup();
        await host.finish(call, 'transferred');
      })().catch((err) => host.log.error({ err }, 'transfer completion failed'));
    } else {
      failed(status, reason).catch((err) => host.log.error({ err, callId: call.id }, 'transfer failure not stored'));
    }
  };
  try {
    await call.leg.refer?.(uri, onProgress);
  } catch (err) {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    // A REFER the trunk refused is a SipFailure: its status is stored with the referral.
    await failed(sipStatusOf(err), (err as Error).message);
  }
}

async function bridgeTransfer(host: TransferHost, call: LiveCall, referral: Referral, uri: string, progress: Progress, failed: Failed) {
  let other: CallLeg;
  try {
    progress('trying');
    other = await (host.placeCall as (u: string) => Promise<CallLeg>)(uri);
  } catch (err) {
    await failed(sipStatusOf(err), (err as Error).message);
    return;
  }
  if (!host.isLive(call.id)) {
    await other.hangup();
    await failed(undefined, 'the caller hung up before the line answered');
    return;
  }
  call.bridge = other;
  call.transferred = true;
  host.stopPrompts(call);
  other.events = {
    onAudio: (pcm) => call.leg.sendPcm(pcm),
    onEnded: () => {
      call.leg
        .hangup()
        .then(() => host.finish(call, 'transferred'))
        .catch((err) => host.log.error({ err, callId: call.id }, 'ending a bridged call failed'));
    },
  };
  await updateReferral(host.db, referral.id, { outcome: 'connected', sipStatus: 200, detail: 'bridged' });
  progress('connected', 200, 'bridged');
  // The agent's part is over: the caller now talks to the emergency line through us.
  host.releaseAgent(call);
}
