/** An error answer of the Graph API: `{ error: { message, type, code, error_subcode?, error_data?, fbtrace_id } }`. */
export class GraphApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: number,
    readonly graphMessage: string,
    readonly details: string | undefined,
    readonly subcode: number | undefined,
  ) {
    super(`Graph API error ${code}${subcode !== undefined ? `/${subcode}` : ''}: ${graphMessage}${details ? ` (${details})` : ''}`);
    this.name = 'GraphApiError';
  }
}

/** The request never got a Graph API answer (connection refused, timeout, not JSON): worth retrying. */
export class GraphNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphNetworkError';
  }
}
