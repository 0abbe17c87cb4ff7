/** The agent's phone state (空闲, 通话中, 话后处理, 暂停) as the server keeps it; agent.state events and a resync refresh it (queries.ts). */
import { App } from 'antd';
import { useCallback, useEffect } from 'react';
import { setOnDuty } from '../../../activity.js';
import { keys, useApiQuery } from '../../../queries.js';
import { getAgentState, setAgentState } from '../service.js';

const ON_DUTY = ['available', 'on_call', 'after_call'];

export function useAgentState() {
  const { message } = App.useApp();
  // Every answer reaches the offer and the call, which take the server's word over what they heard live.
  const phone = useApiQuery(keys.agentState, getAgentState, { everyAnswer: true, forgetUnused: true });
  const state = phone.data?.state;

  // Waiting in the queue is work: the session stays while the agent can be offered calls.
  useEffect(() => {
    setOnDuty(ON_DUTY.includes(state ?? ''));
    return () => setOnDuty(false);
  }, [state]);

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
