/** Error codes partners can switch on; the table in docs/bridge.md lists each with its status. */
export type BridgeErrorCode =
  | 'unknown_connection'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'missing_idempotency_key'
  | 'invalid_idempotency_key'
  | 'invalid_json'
  | 'invalid_body'
  | 'idempotency_conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable';

export interface BridgeFieldError {
  /** Dotted path into the body, e.g. "customer.id" or "message.attachments.0.url". */
  field: string;
  message: string;
}

/** The JSON body of every error answer: `{ "error": { code, message, field?, details? } }`. */
export interface BridgeErrorBody {
  error: { code: BridgeErrorCode; message: string; field?: string; details?: BridgeFieldError[] };
}

/** A request the bridge refuses, with the HTTP status and the JSON body to answer. */
export class BridgeRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: BridgeErrorCode,
    message: string,
    readonly details: BridgeFieldError[] = [],
  ) {
    super(message);
    this.name = 'BridgeRequestError';
  }

  toBody(): BridgeErrorBody {
    const first = this.details[0];
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(first ? { field: first.field, details: this.details } : {}),
      },
    };
  }
}
