/**
 * The emergency on this call: the watch's live alert (raised by what the caller said, before
 * anyone typed) or else the classifier's verdict on the typed description, and the one-click
 * transfer to 110/119/120. Alert and transfer are kept with their call's id, so a new call
 * starts without them.
 */
import { App } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useLiveEvents } from '../../../live.js';
import type { ClassifyResult } from '../../../types.js';
import { transferEmergency } from '../service.js';
import type { LiveAlert } from '../types.js';

export function useEmergency(callId: number | null, classified: ClassifyResult | undefined, address: () => string | undefined) {
  const { message } = App.useApp();
  const [alertOf, setAlertOf] = useState<LiveAlert | null>(null);
  const [transferOf, setTransferOf] = useState<{ callId: number; line: string } | null>(null);
  const liveAlert = alertOf && alertOf.callId === callId ? alertOf : null;
  const transferredTo = transferOf && transferOf.callId === callId ? transferOf.line : null;

  useLiveEvents('emergency.', (e) => {
    const p = e.payload as LiveAlert & { message?: string };
    if (p.callId === null || p.callId !== callId) return;
    if (e.type === 'emergency.alert') setAlertOf((a) => (a?.callId === p.callId ? a : p));
    else if (e.type === 'emergency.transferred') {
      setTransferOf({ callId: p.callId as number, line: p.line });
      if ((p as { auto?: boolean }).auto) message.warning(`已按规则自动转接 ${p.line}`);
    } else if (e.type === 'emergency.transfer_failed') message.error(`转接 ${p.line} 失败：${p.message ?? ''}`);
  });

  const typed = classified?.emergency.is ? classified.emergency : null;
  // The live alert (what the caller said) takes precedence over the typed description's verdict.
  const emergency = useMemo(() => liveAlert ?? (typed?.line ? { ...typed, matched: [] as string[], text: '' } : null), [liveAlert, typed]);
  useEffect(() => {
    document.body.classList.toggle('emergency', !!emergency);
    return () => document.body.classList.remove('emergency');
  }, [emergency]);

  const transfer = async () => {
    if (!emergency?.line) return;
    if (!callId) return message.warning('当前没有通话可转接');
    try {
      const where = address()?.trim();
      await transferEmergency({ callId, line: emergency.line, address: where || undefined, reason: emergency.reason ?? undefined });
      setTransferOf({ callId, line: emergency.line });
      message.success(`已转接 ${emergency.line}，转警记录已保存`);
    } catch (err) {
      message.error((err as Error).message);
    }
  };

  return { emergency, liveAlert, transferredTo, transfer };
}

export type Emergency = NonNullable<ReturnType<typeof useEmergency>['emergency']>;
