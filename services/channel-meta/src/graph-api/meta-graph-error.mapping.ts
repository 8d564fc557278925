import type { FailureCode } from '@switchboard/contracts';

/**
 * What a Graph API error means for a Messenger/Instagram send or comment reply (Messenger Platform error
 * reference; CHANNELS.md 5-8). `retry-later`: limits that pass by themselves; `transient`: server trouble
 * the consumer's retry may fix; `final`: no retry changes it; `token-invalid`: the connection is dead.
 */
export type MetaErrorMeaning = { kind: 'final'; code: FailureCode } | { kind: 'retry-later' } | { kind: 'transient' } | { kind: 'token-invalid' };

/** By subcode first: Meta reuses codes 10, 100 and 200 for unrelated problems. */
const BY_SUBCODE: Readonly<Record<number, FailureCode>> = {
  2018278: 'window_closed', // sent outside the allowed window (24 h, or 7 days with HUMAN_AGENT)
  2018065: 'window_closed', // message tag used outside its allowed time
  2018001: 'blocked', // no matching user: the PSID/IGSID is gone
  1545041: 'blocked', // this person isn't available right now
  2018108: 'blocked', // the person cannot receive messages from this Page
  2534022: 'window_closed', // Instagram: outside the allowed window
};

const BY_CODE: Readonly<Record<number, FailureCode>> = {
  551: 'blocked', // this person isn't available right now
  10900: 'invalid_request', // private reply: the comment was already answered privately
  10903: 'window_closed', // private reply: the comment is older than 7 days
  10: 'unauthorized', // permission denied (e.g. pages_messaging missing)
  200: 'unauthorized', // permission denied
  230: 'unauthorized', // requires pages_messaging permission
  368: 'unauthorized', // temporarily blocked for policy violations
  100: 'invalid_request', // invalid parameter
  2022: 'invalid_request', // invalid attachment or reply target
};

/** Rate limits: back off and try again. */
const RETRY_LATER = new Set([4, 17, 32, 613, 80006]);
/** "Something went wrong" family: the platform asks to retry. */
const TRANSIENT = new Set([1, 2, 1200]);

export function metaMeaningOf(error: { code: number; subcode: number | undefined; httpStatus: number }): MetaErrorMeaning {
  if (error.code === 190) return { kind: 'token-invalid' };
  if (RETRY_LATER.has(error.code)) return { kind: 'retry-later' };
  if (TRANSIENT.has(error.code) || error.httpStatus >= 500) return { kind: 'transient' };
  const bySubcode = error.subcode !== undefined ? BY_SUBCODE[error.subcode] : undefined;
  if (bySubcode) return { kind: 'final', code: bySubcode };
  const byCode = BY_CODE[error.code];
  if (byCode) return { kind: 'final', code: byCode };
  // An unknown 4xx code: the request as it stands will not succeed; the message says which code it was.
  return { kind: 'final', code: error.httpStatus === 401 || error.httpStatus === 403 ? 'unauthorized' : 'invalid_request' };
}
