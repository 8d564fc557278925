import { LosslessNumber, stringify } from 'lossless-json';
import { createHmac } from 'node:crypto';

/**
 * Viber callbacks as the platform writes them (https://developers.viber.com/docs/api/rest-bot-api/#callbacks):
 * message tokens are bare 64-bit JSON integers, often beyond 2^53, so bodies are written with lossless-json.
 */

/** The first token the builders hand out: beyond Number.MAX_SAFE_INTEGER, as real Viber tokens are. */
export const FIRST_VIBER_TOKEN = 5491238571235484736n;
let nextToken = FIRST_VIBER_TOKEN;

/** A fresh 64-bit message token (as a decimal string: exactly what the connector must keep). */
export function nextViberToken(): string {
  const token = nextToken;
  nextToken += 1n;
  return token.toString();
}

export interface ViberUserProfile {
  id: string;
  name?: string;
  avatar?: string;
  country?: string;
  language?: string;
}

/** A callback body; `message_token` is written as a bare integer by encodeViberCallback. */
export type ViberCallbackBody = Record<string, unknown>;

function tokenNumber(token: string): LosslessNumber {
  return new LosslessNumber(token);
}

function base(event: string, timestamp: number | undefined): ViberCallbackBody {
  return { event, timestamp: timestamp ?? Date.now(), chat_hostname: 'SN-CHAT-01_' };
}

function user(profile: ViberUserProfile): Record<string, unknown> {
  return { api_version: 10, ...profile };
}

export const viberCallbacks = {
  message(params: { token?: string; sender: ViberUserProfile; message: Record<string, unknown>; timestamp?: number }): ViberCallbackBody {
    return {
      ...base('message', params.timestamp),
      message_token: tokenNumber(params.token ?? nextViberToken()),
      sender: user(params.sender),
      message: params.message,
      silent: false,
    };
  },
  delivered(params: { token: string; userId: string; timestamp?: number }): ViberCallbackBody {
    return { ...base('delivered', params.timestamp), message_token: tokenNumber(params.token), user_id: params.userId };
  },
  seen(params: { token: string; userId: string; timestamp?: number }): ViberCallbackBody {
    return { ...base('seen', params.timestamp), message_token: tokenNumber(params.token), user_id: params.userId };
  },
  failed(params: { token: string; userId: string; desc: string; timestamp?: number }): ViberCallbackBody {
    return { ...base('failed', params.timestamp), message_token: tokenNumber(params.token), user_id: params.userId, desc: params.desc };
  },
  subscribed(params: { user: ViberUserProfile; timestamp?: number }): ViberCallbackBody {
    return { ...base('subscribed', params.timestamp), user: user(params.user), message_token: tokenNumber(nextViberToken()) };
  },
  unsubscribed(params: { userId: string; timestamp?: number }): ViberCallbackBody {
    return { ...base('unsubscribed', params.timestamp), user_id: params.userId, message_token: tokenNumber(nextViberToken()) };
  },
  conversationStarted(params: { user: ViberUserProfile; subscribed: boolean; token?: string; context?: string; timestamp?: number }): ViberCallbackBody {
    return {
      ...base('conversation_started', params.timestamp),
      message_token: tokenNumber(params.token ?? nextViberToken()),
      type: 'open',
      ...(params.context !== undefined ? { context: params.context } : {}),
      user: user(params.user),
      subscribed: params.subscribed,
    };
  },
  webhook(params: { timestamp?: number } = {}): ViberCallbackBody {
    return { ...base('webhook', params.timestamp), message_token: tokenNumber(nextViberToken()) };
  },
};

/** The raw body Viber would POST: 64-bit tokens as bare integers. */
export function encodeViberCallback(body: ViberCallbackBody): string {
  const text = stringify(body);
  if (text === undefined) throw new Error('callback body cannot be serialised');
  return text;
}

/** X-Viber-Content-Signature: hex HMAC-SHA256 of the raw body, keyed by the bot's auth token. */
export function signViberBody(rawBody: string | Buffer, authToken: string): string {
  // Written here from Viber's spec, not taken from service-kit: the double must not share the code it checks
  // (and testing may not depend on service-kit, which depends on messaging, whose tests use testing).
  return createHmac('sha256', authToken).update(rawBody).digest('hex');
}
