/** The agent's phone state (空闲, 通话中, 话后处理, 暂停) as the server keeps it. */
import { App } from 'antd';
import { useCallback, useEffect } from 'react';
import { setOnDuty } from '../../../activity.js';
import { useLoad } from '../../../hooks.js';
import { useLiveEvents, useResync } from '../../../live.js';
import { getAgentState, setAgentState } from '../service.js';

const ON_DUTY = ['available', 'on_call', 'after_call'];

export function useAgentState() {
  const { message } = App.useApp();
  const phone = useLoad(getAgentState, []);
  const state = phone.data?.state;

  // Waiting in the queue is work: the session stays while the agent can be offered calls.
  useEffect(() => {
    setOnDuty(ON_DUTY.includes(state ?? ''));
    return () => setOnDuty(false);
  }, [state]);
  useResync(phone.reload);
  useLiveEvents('agent.state', () => phone.reload());

  const { reload } = phone;
  const change = useCallback(
    async (next: string) => {
      try {
        await setAgentState(next);
        reload();
      } catch (err) {
        message.error((err as Error).message);
      }
    },
    [reload, message],
  );
  return { phone, change };
}
