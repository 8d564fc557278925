import { z } from 'zod';
import { parseViberJson } from './viber-json.util';

/** A Viber answer with a non-zero status (https://developers.viber.com/docs/api/rest-bot-api/#error-codes). */
export class ViberApiError extends Error {
  constructor(
    readonly method: string,
    readonly status: number,
    readonly statusMessage: string,
  ) {
    super(`Viber ${method} answered status ${status}: ${statusMessage}`);
    this.name = 'ViberApiError';
  }
}

/** The request got no usable Viber answer (refused, timeout, HTTP error, not JSON): worth retrying. */
export class ViberNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ViberNetworkError';
  }
}

/** Every callback we handle; set_webhook subscribes to them (message, subscribed, unsubscribed come always). */
export const VIBER_EVENT_TYPES = ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'] as const;

const statusSchema = z.looseObject({ status: z.number().int(), status_message: z.string().default('') });

const accountInfoSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  uri: z.string().optional(),
  icon: z.string().optional(),
  webhook: z.string().optional(),
});
export type ViberAccountInfo = z.infer<typeof accountInfoSchema>;

/** message_token arrives as a bare 64-bit integer; parseViberJson keeps it exact, this makes it a string. */
export const viberTokenSchema = z.union([z.string().regex(/^[0-9]{1,20}$/), z.number().int().nonnegative()]).transform(String);

const sentSchema = z.looseObject({ message_token: viberTokenSchema });

export type ViberOutgoingMessage =
  | { type: 'text'; text: string }
  | { type: 'picture'; media: string; text?: string }
  | { type: 'video'; media: string; size: number }
  | { type: 'file'; media: string; size: number; file_name: string };

/**
 * Viber REST Bot API calls over global fetch: POST JSON with the token in X-Viber-Auth-Token. Answers
 * are parsed losslessly (tokens are 64-bit) and their status checked: Viber answers HTTP 200 for errors too.
 */
export class ViberApiClient {
  constructor(private readonly options: { baseUrl: string; token: string; timeoutMs: number }) {}

  getAccountInfo(): Promise<ViberAccountInfo> {
    return this.call('get_account_info', {}, accountInfoSchema);
  }

  async setWebhook(url: string): Promise<void> {
    await this.call('set_webhook', { url, event_types: VIBER_EVENT_TYPES, send_name: true, send_photo: true }, statusSchema);
  }

  /** Viber removes a webhook when it is set to the empty URL. */
  async removeWebhook(): Promise<void> {
    await this.call('set_webhook', { url: '' }, statusSchema);
  }

  async sendMessage(params: { receiver: string; senderName: string; message: ViberOutgoingMessage }): Promise<{ messageToken: string }> {
    const body = { receiver: params.receiver, sender: { name: params.senderName }, ...params.message };
    const sent = await this.call('send_message', body, sentSchema);
    return { messageToken: sent.message_token };
  }

  private async call<T>(method: string, body: Record<string, unknown>, resultSchema: z.ZodType<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let text: string;
    let httpStatus: number;
    try {
      const response = await fetch(`${this.options.baseUrl}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-viber-auth-token': this.options.token },
        body: JSON.stringify(body),
        signal: timeout,
      });
      httpStatus = response.status;
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted ? 'timed out' : (((error as Error).cause as Error | undefined)?.message ?? (error as Error).message);
      throw new ViberNetworkError(`Viber ${method} failed: ${reason}`, { cause: error });
    }
    if (httpStatus >= 300) throw new ViberNetworkError(`Viber ${method} answered HTTP ${httpStatus}`);
    let json: unknown;
    try {
      json = parseViberJson(text);
    } catch (error) {
      throw new ViberNetworkError(`Viber ${method} answered with a body that is not JSON`, { cause: error });
    }
    const status = statusSchema.safeParse(json);
    if (!status.success) throw new ViberNetworkError(`Viber ${method} answered without a status: ${z.prettifyError(status.error)}`);
    if (status.data.status !== 0) throw new ViberApiError(method, status.data.status, status.data.status_message || 'no status message');
    const result = resultSchema.safeParse(json);
    if (!result.success) throw new ViberNetworkError(`Viber ${method} answered with an unexpected body: ${z.prettifyError(result.error)}`);
    return result.data;
  }
}

/** Creates clients per bot token; one place to set the base URL and timeout. */
export type ViberApiFactory = (token: string) => ViberApiClient;

export function viberApiFactory(options: { baseUrl: string; timeoutMs: number }): ViberApiFactory {
  return (token) => new ViberApiClient({ ...options, token });
}
