import { useState } from 'react';
import type { CombinedError } from 'urql';

/**
 * Runs one chat action (a mutation) and keeps its error for the page: an action refused by the API
 * (FORBIDDEN, NOT_FOUND, ...) must be visible, not swallowed.
 */
export function useChatAction() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(action: () => Promise<{ error?: CombinedError | undefined; data?: T }>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    const result = await action();
    setBusy(false);
    if (result.error) {
      setError(result.error.graphQLErrors[0]?.message ?? result.error.message);
      return undefined;
    }
    return result.data;
  };
  return { run, error, busy };
}
