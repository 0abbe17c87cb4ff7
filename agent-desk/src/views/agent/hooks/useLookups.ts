/** What the agent looks up beside the form: the caller's earlier cases and the knowledge base. */
import { useState } from 'react';
import { keys, useApiQuery } from '../../../queries.js';
import { earlierCases, searchKnowledge } from '../service.js';
import { useDebounced } from './useDebounced.js';

export const PHONE = /^[0-9+\-\s()]{3,30}$/;

/** The caller's earlier cases, once the phone field holds a plausible number. */
export function useCallerHistory(phone: string | undefined) {
  const phoneQ = useDebounced(phone && PHONE.test(phone) ? phone.replace(/\D/g, '') : '', 500);
  const earlier = useApiQuery(keys.callerCases(phoneQ), () => (phoneQ.length >= 7 ? earlierCases(phoneQ) : Promise.resolve(undefined)));
  return { phoneQ, earlier };
}

export function useKnowledge() {
  const [q, setQ] = useState('');
  const articles = useApiQuery(keys.knowledge(q), () => (q ? searchKnowledge(q) : Promise.resolve([])));
  return { articles, search: setQ };
}
