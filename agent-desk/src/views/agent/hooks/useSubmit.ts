/** 提交派单 or 直接办结: the work order from the form, with the classifier's proposal it was offered. */
import { App } from 'antd';
import { useCallback, useState } from 'react';
import type { ClassifyResult } from '../../../types.js';
import { createWorkOrder, resolveOnCall } from '../service.js';
import type { Intake } from '../types.js';
import type { IntakeDraft } from './useIntakeDraft.js';

export function useSubmit(opts: {
  draft: IntakeDraft;
  proposal: ClassifyResult | undefined;
  callId: number | null;
  emergency: boolean;
  callEnded: boolean;
  /** Called once the work order of an ended call is in. */
  onDoneAfterCall: () => void;
}) {
  const { message } = App.useApp();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { draft, proposal: p, callId, emergency, callEnded, onDoneAfterCall } = opts;
  const { form, clear } = draft;
  const submit = useCallback(
    async (closeOnCall: boolean) => {
      let v: Intake;
      try {
        v = await form.validateFields();
      } catch {
        return;
      }
      if (closeOnCall && !v.answer?.trim()) {
        setError('直接办结需要填写答复内容。');
        return;
      }
      setBusy(true);
      setError(undefined);
      try {
        const { workOrder: wo } = await createWorkOrder({
          callerName: v.callerName || null,
          callerPhone: v.callerPhone || null,
          address: v.address || null,
          anonymous: !!v.anonymous,
          // The form requires it; an empty one is the server's VALIDATION refusal, as a missing one was.
          description: v.description ?? '',
          categoryId: v.categoryId ?? null,
          departmentId: v.departmentId ?? null,
          callId: callId ?? null,
          emergency,
          proposal: p ? { categoryId: p.categoryId, departmentId: p.departmentId, modelVersion: p.model } : null,
          submit: !closeOnCall,
        });
        if (closeOnCall) await resolveOnCall(wo, v.answer);
        clear();
        message.success(`工单 ${wo.number} 已${closeOnCall ? '直接办结' : '提交派单'}`);
        if (callEnded) onDoneAfterCall();
      } catch (err) {
        setError((err as Error).message);
      } finally {
        setBusy(false);
      }
    },
    [form, clear, p, callId, emergency, callEnded, onDoneAfterCall, message],
  );
  return { submit, busy, error };
}
