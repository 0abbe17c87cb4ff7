/**
 * One-click emergency transfer: telephony transfers the call and writes the referral (with
 * the transcript excerpt and the agent); this adds the address and the case, and moves the
 * case to refer_110 through dispatch so it stays on record.
 */

import type { EventBus, Role } from '../core/index.js';
import { isHotlineError } from '../core/index.js';
import type { Db } from '../db/index.js';
import { applyTransition } from '../dispatch/index.js';
import { attachReferralToCase, type CallCenter, type Referral } from '../telephony/index.js';
import { EmergencyErrors } from './errors.js';

export interface TransferDeps {
  db: Db;
  bus: EventBus;
  center: () => CallCenter | undefined;
  mode: 'blind' | 'bridge';
  /** The transcript so far, when telephony's own excerpt is empty (e.g. ASR ran elsewhere). */
  excerpt?: (callId: number) => string;
}

export interface TransferRequest {
  callId: number;
  line: '110' | '119' | '120';
  user: { id: number | null; role: Role | 'system' };
  workOrderId?: number;
  address?: string;
  reason?: string;
  mode?: 'blind' | 'bridge';
  auto?: boolean;
}

export async function emergencyTransfer(
  deps: TransferDeps,
  req: TransferRequest,
): Promise<Referral & { address: string | null; workOrderId: number | null }> {
  const center = deps.center();
  if (!center) throw EmergencyErrors.EMERGENCY_TELEPHONY_UNAVAILABLE();
  let address = req.address?.trim() || null;
  const supervisor = req.user.role === 'supervisor' || req.user.role === 'admin' || req.user.role === 'system';
  if (req.workOrderId) {
    const wo = await deps.db.query<{ address: string | null; call_id: number | null; created_by: number | null }>(
      'SELECT address, call_id, created_by FROM work_orders WHERE id = $1',
      [req.workOrderId],
    );
    const row = wo.rows[0];
    if (!row) throw EmergencyErrors.EMERGENCY_WORK_ORDER_NOT_FOUND({ workOrderId: req.workOrderId });
    // The case must be this call's (or one the agent typed in): its address goes with the referral.
    if (!supervisor && row.call_id !== req.callId && row.created_by !== req.user.id) {
      throw EmergencyErrors.EMERGENCY_CASE_NOT_OF_CALL({ workOrderId: req.workOrderId, callId: req.callId });
    }
    address ??= row.address;
  }
  const referral = await center.transfer(
    req.callId,
    req.user.id ?? 0,
    { target: req.line, mode: req.mode ?? deps.mode, reason: req.reason ?? (req.auto ? '自动转接' : undefined) },
    supervisor,
  );
  const excerpt = referral.transcriptExcerpt || deps.excerpt?.(req.callId) || null;
  await attachReferralToCase(deps.db, referral.id, { address, workOrderId: req.workOrderId ?? null, excerpt });
  // The call has gone to the emergency line whatever happens next. A case the user may not
  // refer (an agent's case a department already works on) keeps its state; the referral
  // row names it, so the supervisor sees both.
  let caseReferred = false;
  if (req.workOrderId) {
    try {
      await applyTransition(deps.db, deps.bus, {
        workOrderId: req.workOrderId,
        action: 'refer_110',
        actor: { id: req.user.id, role: req.user.role, orgUnitId: null },
        reason: req.reason ?? `转${req.line}`,
      });
      caseReferred = true;
    } catch (err) {
      if (!isHotlineError(err) || (err.statusCode !== 403 && err.statusCode !== 409)) throw err;
    }
  }
  deps.bus.publish('emergency.transferred', {
    callId: req.callId,
    agentId: req.user.id,
    referralId: referral.id,
    line: req.line,
    workOrderId: req.workOrderId ?? null,
    caseReferred,
    auto: req.auto ?? false,
  });
  return { ...referral, transcriptExcerpt: excerpt, address, workOrderId: req.workOrderId ?? null };
}
