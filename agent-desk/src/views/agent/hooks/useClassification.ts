/** The classifier's proposal for the description (and the address, for local routing), once typing settles. */
import { keys, useApiQuery } from '../../../queries.js';
import { classify } from '../service.js';
import { useDebounced } from './useDebounced.js';

export function useClassification(description: string, address: string | undefined) {
  const text = useDebounced(description, 700);
  const where = useDebounced((address ?? '').trim().slice(0, 500), 700);
  return useApiQuery(keys.classify(text, where), () => (text.trim().length >= 4 ? classify(text, where) : Promise.resolve(undefined)));
}
