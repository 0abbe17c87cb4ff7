/**
 * The call the agent is on: its id (from answering, or from the server's state after a
 * reload), its details and transcript, its audio, and the hang-up.
 */
import { App } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useCallAudio } from '../../../audio.js';
import { useLiveEvents, useResync } from '../../../live.js';
import { getCall, hangupCall } from '../service.js';
import type { AgentState, CallDetail } from '../types.js';
import { useTranscript } from './useTranscript.js';

export function useLiveCall(phone: AgentState | undefined, reloadPhone: () => void, onLoaded: (call: CallDetail) => void) {
  const { message } = App.useApp();
  const [callId, setCallId] = useState<number | null>(null);
  const [call, setCall] = useState<CallDetail | null>(null);
  const transcript = useTranscript(callId);
  const audio = useCallAudio(callId);

  useEffect(() => {
    if (phone?.callId) setCallId(phone.callId);
  }, [phone]);

  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  const { mergeStored } = transcript;
  const loadCall = useCallback(
    async (id: number) => {
      const c = await getCall(id);
      setCall(c);
      mergeStored(c.transcript);
      onLoadedRef.current(c);
    },
    [mergeStored],
  );
  const messageRef = useRef(message);
  messageRef.current = message;

  // Call details follow the call id only: re-renders must not reload them.
  useEffect(() => {
    if (callId) loadCall(callId).catch((e) => messageRef.current.error((e as Error).message));
  }, [callId, loadCall]);
  useResync(() => {
    if (callId) void loadCall(callId).catch(() => {});
  });

  useLiveEvents('call.ended', (e) => {
    const p = e.payload as { callId: number };
    if (e.type !== 'call.ended' || p.callId !== callId) return;
    audio.stop();
    setCall((c) => (c ? { ...c, state: 'ended' } : c));
    message.info('通话已结束，请完成工单');
    reloadPhone();
  });

  const ended = call?.state === 'ended';
  const hangup = useCallback(async () => {
    if (!callId || ended) return;
    try {
      await hangupCall(callId);
    } catch (err) {
      message.error((err as Error).message);
    }
  }, [callId, ended, message]);

  const { reset } = transcript;
  /** Answered: a new call starts with an empty transcript. */
  const start = useCallback(
    (id: number) => {
      setCallId(id);
      reset();
    },
    [reset],
  );
  /** The work order of an ended call is in: the desk is free for the next one. */
  const finish = useCallback(() => {
    setCallId(null);
    setCall(null);
    reset();
  }, [reset]);

  return { callId, call, ended, transcript, audio, hangup, start, finish };
}
