/** The call the queue offers this agent: it rings until answered, expired or hung up. */
import { useCallback, useEffect, useState } from 'react';
import { startRinging } from '../../../audio.js';
import { useLiveEvents } from '../../../live.js';
import type { AgentState } from '../types.js';

export function useOffer(phone: AgentState | undefined, userId: number, reloadPhone: () => void) {
  const [offered, setOffered] = useState<number | null>(null);
  useEffect(() => {
    if (phone) setOffered(phone.offeredCallId);
  }, [phone]);

  // The ring tone plays while a call is offered.
  useEffect(() => {
    if (!offered) return;
    return startRinging();
  }, [offered]);

  useLiveEvents('call.', (e) => {
    const p = e.payload as { callId: number; agentId?: number };
    if (e.type === 'call.offered' && p.agentId === userId) setOffered(p.callId);
    else if (e.type === 'call.offer_expired' && p.callId === offered) setOffered(null);
    else if (e.type === 'call.ended' && p.callId === offered) {
      setOffered(null);
      reloadPhone();
    }
  });

  const clear = useCallback(() => setOffered(null), []);
  return { offered, clear };
}
