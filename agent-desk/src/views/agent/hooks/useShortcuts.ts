import { useEffect } from 'react';

/** F2 answer, F4 hang up, Ctrl+Enter submit. */
export function useShortcuts(keys: { answer: () => void; hangup: () => void; submit: () => void }) {
  const { answer, hangup, submit } = keys;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'F2') {
        e.preventDefault();
        answer();
      } else if (e.key === 'F4') {
        e.preventDefault();
        hangup();
      } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        submit();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [answer, hangup, submit]);
}
