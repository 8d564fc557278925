import { createHmac, timingSafeEqual } from 'node:crypto';

/** How a platform writes an HMAC of the request body into a header. */
export interface HmacSignatureScheme {
  /** Node digest name, e.g. 'sha256'. */
  algorithm: 'sha1' | 'sha256' | 'sha512';
  encoding: 'hex' | 'base64';
  /** Text before the digest, e.g. 'sha256=' (WhatsApp/Meta); '' when the header is the bare digest (Viber). */
  prefix?: string;
}

/** The digest as the platform would write it, for doubles and for signing our own outgoing requests. */
export function signHmac(rawBody: Buffer | string, secret: string | Buffer, scheme: HmacSignatureScheme): string {
  const digest = createHmac(scheme.algorithm, secret).update(rawBody).digest(scheme.encoding);
  return `${scheme.prefix ?? ''}${digest}`;
}

/**
 * Checks a webhook signature on the raw request bytes, in constant time. It must run before the body is
 * parsed: re-serialised JSON differs from what the platform signed. A missing header, a wrong prefix or a
 * digest that is not valid for the encoding all count as "does not match", never as an exception.
 */
export function verifyHmacSignature(params: {
  rawBody: Buffer;
  secret: string | Buffer;
  signature: string | undefined;
  scheme: HmacSignatureScheme;
}): boolean {
  const { signature, scheme } = params;
  if (signature === undefined) return false;
  const prefix = scheme.prefix ?? '';
  if (!signature.startsWith(prefix)) return false;
  const givenText = signature.slice(prefix.length).trim();
  // Hex is case-insensitive on the wire; Buffer.from drops invalid characters, so validate the shape first.
  const shape = scheme.encoding === 'hex' ? /^[0-9a-fA-F]+$/ : /^[A-Za-z0-9+/]+={0,2}$/;
  if (!shape.test(givenText)) return false;
  const given = Buffer.from(givenText, scheme.encoding);
  const expected = createHmac(scheme.algorithm, params.secret).update(params.rawBody).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
