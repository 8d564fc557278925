import { signHmac, verifyHmacSignature, type HmacSignatureScheme } from './hmac-signature';

/**
 * Timestamped HMAC signatures for HTTP requests between Switchboard and a partner that shares a secret
 * with it (the bridge channel, both directions). The scheme, documented for partners in docs/bridge.md
 * and decision 0016:
 *
 *   X-Switchboard-Timestamp: <unix seconds>
 *   X-Switchboard-Signature: v1=<hex HMAC-SHA256(key = secret as UTF-8, message = "<timestamp>." + raw body bytes)>
 *
 * The timestamp is inside the MAC, so a captured request cannot be replayed once it falls outside the
 * tolerance window; the body is MACed as raw bytes, so JSON re-serialisation can neither break nor forge it.
 */
export const SIGNATURE_HEADER = 'x-switchboard-signature';
export const TIMESTAMP_HEADER = 'x-switchboard-timestamp';

const SCHEME: HmacSignatureScheme = { algorithm: 'sha256', encoding: 'hex', prefix: 'v1=' };

export type SignatureFailure = 'missing_signature' | 'malformed_signature' | 'stale_timestamp' | 'bad_signature';

export type SignatureCheck = { ok: true } | { ok: false; failure: SignatureFailure; message: string };

/** The bytes that are MACed: "<timestamp>." followed by the raw body. */
function signedContent(timestamp: string, body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'utf8'), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
}

/** The two headers a signed request carries, for `body` at `now`. */
export function signTimestampedRequest(params: { secret: string; body: Buffer | string; now?: Date }): Record<string, string> {
  const timestamp = String(Math.floor((params.now ?? new Date()).getTime() / 1000));
  return {
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signHmac(signedContent(timestamp, params.body), params.secret, SCHEME),
  };
}

/**
 * Checks a request's signature headers against its raw body, before the body is parsed. The signature
 * header may carry several comma-separated `v1=` values (a sender in the middle of a secret rotation can
 * sign with both); one match is enough. The MAC comparison is constant-time.
 */
export function verifyTimestampedSignature(params: {
  secret: string;
  body: Buffer;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  toleranceSeconds: number;
  now?: Date;
}): SignatureCheck {
  const { timestampHeader, signatureHeader } = params;
  if (!timestampHeader || !signatureHeader) {
    return { ok: false, failure: 'missing_signature', message: 'X-Switchboard-Timestamp and X-Switchboard-Signature headers are required' };
  }
  const timestamp = timestampHeader.trim();
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, failure: 'malformed_signature', message: 'X-Switchboard-Timestamp must be unix time in whole seconds' };
  }
  const candidates = signatureHeader.split(',').map((part) => part.trim());
  if (candidates.some((candidate) => !/^v1=[0-9a-fA-F]{64}$/.test(candidate))) {
    return { ok: false, failure: 'malformed_signature', message: 'X-Switchboard-Signature must be v1=<64 hex digits> (comma-separated when several)' };
  }
  // Checked before the MAC only to name the reason; a stale request is refused whatever its MAC.
  const skew = Math.abs(Math.floor((params.now ?? new Date()).getTime() / 1000) - Number(timestamp));
  if (skew > params.toleranceSeconds) {
    return {
      ok: false,
      failure: 'stale_timestamp',
      message: `X-Switchboard-Timestamp is ${skew} s away from the server clock; at most ${params.toleranceSeconds} s is accepted`,
    };
  }
  const content = signedContent(timestamp, params.body);
  const matches = candidates.some((signature) => verifyHmacSignature({ rawBody: content, secret: params.secret, signature, scheme: SCHEME }));
  return matches ? { ok: true } : { ok: false, failure: 'bad_signature', message: 'X-Switchboard-Signature does not match the timestamp and body' };
}
