import { signTimestampedRequest } from '@switchboard/service-kit';

export const ATTEMPT_HEADER = 'x-switchboard-attempt';

/** What the partner answered (any status); network failures and timeouts throw instead. */
export interface PartnerResponse {
  status: number;
  body: string;
}

/** Partner answers are only read for an id and for error messages; more is not kept. */
const MAX_RESPONSE_CHARS = 4096;

/**
 * POSTs one signed JSON body to a partner. Redirects are not followed: a signed request must reach the
 * URL the admin configured, and a redirect is reported as the partner's answer.
 */
export async function postSigned(params: {
  url: string;
  secret: string;
  body: string;
  idempotencyKey: string;
  attempt: number;
  timeoutMs: number;
}): Promise<PartnerResponse> {
  const response = await fetch(params.url, {
    method: 'POST',
    redirect: 'manual',
    signal: AbortSignal.timeout(params.timeoutMs),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Bridge/1',
      'idempotency-key': params.idempotencyKey,
      [ATTEMPT_HEADER]: String(params.attempt),
      ...signTimestampedRequest({ secret: params.secret, body: params.body }),
    },
    body: params.body,
  });
  const text = await response.text();
  return { status: response.status, body: text.slice(0, MAX_RESPONSE_CHARS) };
}
