import { z } from 'zod';
import { signHmac } from '../webhooks/hmac-signature';

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

const errorBodySchema = z.object({
  error: z.looseObject({
    message: z.string().default('no message'),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    // WhatsApp puts details in error_data; Messenger sometimes sends error_data as a string.
    error_data: z.union([z.looseObject({ details: z.string().optional() }), z.string()]).optional(),
    error_user_msg: z.string().optional(),
  }),
});

export interface GraphApiTransportOptions {
  /** Graph API root without the version, e.g. https://graph.facebook.com. */
  baseUrl: string;
  /** Pinned version in every path (CHANNELS.md 8), e.g. v21.0. */
  version: string;
  timeoutMs: number;
  accessToken: string;
  /** When known, every call carries appsecret_proof (CHANNELS.md 8), which apps may require. */
  appSecret?: string;
}

/**
 * One Graph API call over global fetch, shared by the Meta connectors: version pinned in the path, the
 * token only in the Authorization header (never in URLs, errors or logs), appsecret_proof when the app
 * secret is known, Meta's error body as GraphApiError and anything without an answer as GraphNetworkError.
 */
export class GraphApiTransport {
  constructor(private readonly options: GraphApiTransportOptions) {}

  async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    query: Record<string, string>,
    /** JSON, or multipart/form-data for uploads (media, attachments); fetch sets the multipart boundary. */
    body: Record<string, unknown> | FormData | undefined,
    resultSchema: z.ZodType<T>,
  ): Promise<T> {
    const json = body !== undefined && !(body instanceof FormData);
    const url = new URL(`${this.options.baseUrl}/${this.options.version}/${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    if (this.options.appSecret) {
      url.searchParams.set('appsecret_proof', signHmac(this.options.accessToken, this.options.appSecret, { algorithm: 'sha256', encoding: 'hex' }));
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.options.accessToken}`,
          ...(json ? { 'content-type': 'application/json' } : {}),
        },
        ...(body instanceof FormData ? { body } : json ? { body: JSON.stringify(body) } : {}),
        signal: timeout,
      });
      answer = await response.json().catch(() => undefined);
    } catch (error) {
      const reason = timeout.aborted ? 'timed out' : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
      throw new GraphNetworkError(`Graph API ${method} /${path} failed: ${reason}`, { cause: error });
    }
    const failure = errorBodySchema.safeParse(answer);
    if (failure.success) {
      const e = failure.data.error;
      const details = typeof e.error_data === 'string' ? e.error_data : (e.error_data?.details ?? e.error_user_msg);
      throw new GraphApiError(response.status, e.code, e.message, details, e.error_subcode);
    }
    if (!response.ok) throw new GraphNetworkError(`Graph API ${method} /${path} answered HTTP ${response.status} without an error body`);
    const result = resultSchema.safeParse(answer);
    if (!result.success) throw new GraphNetworkError(`Graph API ${method} /${path} answered an unexpected body: ${z.prettifyError(result.error)}`);
    return result.data;
  }
}
