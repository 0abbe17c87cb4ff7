/**
 * Drafts of what people type, kept in localStorage so nothing is lost when a request
 * fails, the connection drops or the tab reloads. A draft is removed once its form is
 * accepted by the server.
 */
import { useCallback, useState } from 'react';

const PREFIX = 'hotline.draft.';

export function loadDraft<T>(key: string): T | undefined {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function saveDraft(key: string, value: unknown) {
  try {
    localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: the form still works, only the safety net is missing.
  }
}

export function clearDraft(key: string) {
  localStorage.removeItem(PREFIX + key);
}

/** State that survives reloads under `key`. */
export function useDraft<T>(key: string, initial: T): [T, (v: T) => void, () => void] {
  const [value, setValue] = useState<T>(() => loadDraft<T>(key) ?? initial);
  const set = useCallback(
    (v: T) => {
      setValue(v);
      saveDraft(key, v);
    },
    [key],
  );
  const clear = useCallback(() => {
    clearDraft(key);
    setValue(initial);
  }, [key, initial]);
  return [value, set, clear];
}
