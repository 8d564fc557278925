import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The partner's side of the bridge signature, written from docs/bridge.md rather than imported from
 * service-kit: if Switchboard's signing drifted from its documentation, a double sharing its code would
 * drift with it and every test would still pass.
 *
 *   X-Switchboard-Timestamp: <unix seconds>
 *   X-Switchboard-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>
 */

export function partnerSignature(secret: string, timestamp: string, rawBody: Buffer | string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
  return `v1=${mac}`;
}

/** Why a request's signature was refused, or undefined when it is good. */
export function partnerSignatureProblem(params: {
  secret: string;
  rawBody: Buffer;
  timestamp: string | undefined;
  signature: string | undefined;
  toleranceSeconds: number;
}): string | undefined {
  const { timestamp, signature } = params;
  if (!timestamp || !signature) return 'missing X-Switchboard-Timestamp or X-Switchboard-Signature';
  if (!/^\d+$/.test(timestamp)) return 'timestamp is not unix seconds';
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > params.toleranceSeconds) return 'timestamp outside the tolerance';
  const expected = Buffer.from(partnerSignature(params.secret, timestamp, params.rawBody));
  const matches = signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  return matches ? undefined : 'signature does not match';
}
