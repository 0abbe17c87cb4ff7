/**
 * The call the agent is on: its id (from answering, or from the server's state after a
 * reload), its details and transcript, its audio, and the hang-up.
 */
import { App } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useCallAudio } from '../../../audio.js';
import { useLiveEvents } from '../../../live.js';
import { keys, useApiQuery } from '../../../queries.js';
import { getCall, hangupCall } from '../service.js';
import type { AgentState, CallDetail } from '../types.js';
import { useTranscript } from './useTranscript.js';

export function useLiveCall(phone: AgentState | undefined, reloadPhone: () => void, onLoaded: (call: CallDetail) => void) {
  const { message } = App.useApp();
  const [callId, setCallId] = useState<number | null>(null);
  const transcript = useTranscript(callId);
  const audio = useCallAudio(callId);

  useEffect(() => {
    if (phone?.callId) setCallId(phone.callId);
  }, [phone]);

  // The details follow the call id only (re-renders do not reload them); a resync refreshes them (queries.ts).
  const details = useApiQuery(keys.call(callId), () => getCall(callId!), {
    enabled: !!callId,
    keepPrevious: false,
    everyAnswer: true,
    forgetUnused: true,
  });
  const call = details.data && details.data.id === callId ? details.data : null;
  const onLoadedRef = useRef(onLoaded);
  onLoadedRef.current = onLoaded;
  const { mergeStored } = transcript;
  useEffect(() => {
    if (!call) return;
    mergeStored(call.transcript);
    onLoadedRef.current(call);
  }, [call, mergeStored]);
  // A call that cannot be read is said once; a failed refresh keeps what the desk shows.
  const messageRef = useRef(message);
  messageRef.current = message;
  const failed = !!details.error && !call;
  useEffect(() => {
    if (failed && details.error) messageRef.current.error(details.error);
  }, [failed, details.error]);

  // call.ended says it before the details would: kept by call id, so the next call starts unended.
  const [endedId, setEndedId] = useState<number | null>(null);

  useLiveEvents('call.ended', (e) => {
    const p = e.payload as { callId: number };
    if (e.type !== 'call.ended' || p.callId !== callId) return;
    audio.stop();
    setEndedId(callId);
    message.info('通话已结束，请完成工单');
    reloadPhone();
  });

  const ended = call?.state === 'ended' || (callId !== null && endedId === callId);
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
    reset();
  }, [reset]);

  return { callId, call, ended, transcript, audio, hangup, start, finish };
}
