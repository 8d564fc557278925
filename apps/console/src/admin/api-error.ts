/**
 * The API's typed errors as the admin pages show them: the code (BAD_USER_INPUT, CONFLICT, FORBIDDEN, ...),
 * the field or reason when the service named one, and the service's own message. Nothing is hidden behind
 * a generic "something went wrong": the admin needs Telegram's or Meta's words to fix a token.
 */
export interface ApiError {
  code: string | null;
  field: string | null;
  reason: string | null;
  message: string;
}

interface ErrorLike {
  message: string;
  graphQLErrors: readonly { message: string; extensions?: Record<string, unknown> | undefined }[];
  networkError?: Error | undefined;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

export function apiErrors(error: ErrorLike): ApiError[] {
  if (error.graphQLErrors.length === 0) {
    return [{ code: null, field: null, reason: null, message: error.networkError?.message ?? error.message }];
  }
  return error.graphQLErrors.map((e) => ({
    code: text(e.extensions?.['code']),
    field: text(e.extensions?.['field']),
    reason: text(e.extensions?.['reason']),
    message: e.message,
  }));
}
