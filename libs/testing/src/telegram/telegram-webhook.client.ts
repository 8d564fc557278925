import http from 'node:http';
import https from 'node:https';

// One webhook POST as Telegram makes it. http.request (not fetch) so stop() can destroy in-flight
// requests synchronously and the keep-alive agent can be torn down without leaking sockets.

export interface WebhookPostResult {
  ok: boolean;
  status?: number;
  /** Telegram-style text for getWebhookInfo.last_error_message. */
  error?: string;
}

export interface WebhookPost {
  done: Promise<WebhookPostResult>;
  abort(): void;
}

export function postWebhook(
  url: string,
  body: string,
  secretToken: string | undefined,
  agents: { http: http.Agent; https: https.Agent },
  timeoutMs: number,
): WebhookPost {
  const target = new URL(url);
  const isHttps = target.protocol === 'https:';
  const headers: http.OutgoingHttpHeaders = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  };
  if (secretToken) headers['x-telegram-bot-api-secret-token'] = secretToken;

  let request: http.ClientRequest | undefined;
  const done = new Promise<WebhookPostResult>((resolve) => {
    const options: http.RequestOptions = { method: 'POST', headers, agent: isHttps ? agents.https : agents.http };
    request = (isHttps ? https : http).request(target, options, (response) => {
      // The body is irrelevant but must be consumed, or the keep-alive socket is never reused.
      response.resume();
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ ok: true, status });
        else resolve({ ok: false, status, error: `Wrong response from the webhook: ${status} ${response.statusMessage ?? ''}`.trim() });
      });
      response.on('error', (error) => resolve({ ok: false, status: response.statusCode ?? 0, error: describeNetworkError(error) }));
    });
    request.setTimeout(timeoutMs, () => request?.destroy(new TimeoutError()));
    request.on('error', (error) => resolve({ ok: false, error: describeNetworkError(error) }));
    request.end(body);
  });
  return { done, abort: () => request?.destroy() };
}

class TimeoutError extends Error {
  constructor() {
    super('Read timeout expired');
  }
}

function describeNetworkError(error: Error & { code?: string }): string {
  if (error instanceof TimeoutError) return error.message;
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'ENOTFOUND':
      return 'Failed to resolve host: Name or service not known';
    default:
      return error.message || String(error.code);
  }
}
