import type { FailureCode } from '@switchboard/contracts';

/**
 * What a Graph API error code means for a send (codes from CHANNELS.md 4/8 and the Cloud API error
 * reference). `retry-later`: throughput limits that pass by themselves; `transient`: server trouble the
 * consumer's own retry may fix; `final`: no retry changes it; `token-invalid`: the connection is dead.
 */
export type GraphErrorMeaning =
  | { kind: 'final'; code: FailureCode }
  | { kind: 'retry-later' }
  | { kind: 'transient' }
  | { kind: 'token-invalid' };

const FINAL: Readonly<Record<number, FailureCode>> = {
  131047: 'window_closed', // re-engagement: more than 24 hours since the customer's last message
  131026: 'blocked', // undeliverable: not on WhatsApp, blocked the business, or too old a client
  131048: 'rate_limited', // spam rate limit: the number is restricted, retrying makes it worse
  131049: 'platform_error', // Meta chose not to deliver (ecosystem engagement)
  131021: 'invalid_request', // recipient is the sender
  131051: 'invalid_request', // unsupported message type
  131008: 'invalid_request', // required parameter missing
  131009: 'invalid_request', // parameter value invalid
  131053: 'invalid_request', // media could not be uploaded/fetched from the link
  132000: 'invalid_request', // template parameter count mismatch
  132001: 'invalid_request', // template does not exist in that language
  132005: 'too_large', // translated template text too long
  132007: 'invalid_request', // template format policy violation
  132012: 'invalid_request', // template parameter format mismatch
  132015: 'invalid_request', // template paused
  132016: 'invalid_request', // template disabled
  100: 'invalid_request', // invalid parameter
  131031: 'unauthorized', // business account locked
  131042: 'platform_error', // payment problem on the account
  131045: 'platform_error', // number certificate problem
  368: 'unauthorized', // temporarily blocked for policy violations
  10: 'unauthorized', // permission denied
  200: 'unauthorized', // permission denied
};

/** Throughput limits: back off and try again (CHANNELS.md: 80 msg/s per number by default). */
const RETRY_LATER = new Set([130429, 131056, 80007, 4]);
/** "Something went wrong" family: the platform asks to retry. */
const TRANSIENT = new Set([1, 2, 131000, 131016, 133004]);

export function meaningOf(error: { code: number; httpStatus: number }): GraphErrorMeaning {
  if (error.code === 190) return { kind: 'token-invalid' };
  if (RETRY_LATER.has(error.code)) return { kind: 'retry-later' };
  if (TRANSIENT.has(error.code) || error.httpStatus >= 500) return { kind: 'transient' };
  const final = FINAL[error.code];
  if (final) return { kind: 'final', code: final };
  // An unknown 4xx code: the request as it stands will not succeed; the message says which code it was.
  return { kind: 'final', code: error.httpStatus === 401 || error.httpStatus === 403 ? 'unauthorized' : 'invalid_request' };
}
