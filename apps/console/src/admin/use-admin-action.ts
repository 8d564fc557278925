import { useState } from 'react';
import type { CombinedError } from 'urql';
import { apiErrors, type ApiError } from './api-error';

/**
 * Runs one admin mutation and keeps the API's typed errors for the form that sent it (code, field, reason,
 * message): a refusal is shown as the API worded it, never swallowed.
 */
export function useAdminAction() {
  const [errors, setErrors] = useState<ApiError[] | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async <T,>(action: () => Promise<{ error?: CombinedError | undefined; data?: T }>): Promise<T | undefined> => {
    setBusy(true);
    setErrors(null);
    const result = await action();
    setBusy(false);
    if (result.error) {
      setErrors(apiErrors(result.error));
      return undefined;
    }
    return result.data;
  };
  return { run, errors, busy, clear: () => setErrors(null) };
}
