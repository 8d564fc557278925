import { signHmac, verifyHmacSignature, type HmacSignatureScheme } from './hmac-signature';

/**
 * Meta's webhook signature (WhatsApp Cloud API, Messenger, Instagram): header X-Hub-Signature-256 with
 * `sha256=<hex HMAC-SHA256(raw body, app secret)>`, computed over the exact bytes Meta sent.
 */
export const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';
export const HUB_SIGNATURE_SCHEME: HmacSignatureScheme = { algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };

/** The header value Meta would send for these bytes (test doubles sign with it). */
export function hubSignature(rawBody: Buffer | string, appSecret: string): string {
  return signHmac(rawBody, appSecret, HUB_SIGNATURE_SCHEME);
}

export function verifyHubSignature(rawBody: Buffer, header: string | undefined, appSecret: string): boolean {
  return verifyHmacSignature({ rawBody, secret: appSecret, signature: header, scheme: HUB_SIGNATURE_SCHEME });
}

/**
 * One Meta app signs every webhook of its numbers/pages with its own secret, and one endpoint may serve
 * several apps: returns the first of `appSecrets` the signature was made with, or undefined.
 */
export function matchHubSignature(rawBody: Buffer, header: string | undefined, appSecrets: Iterable<string>): string | undefined {
  for (const secret of appSecrets) if (verifyHubSignature(rawBody, header, secret)) return secret;
  return undefined;
}

/**
 * The verify token and challenge of Meta's subscription handshake (GET ?hub.mode=subscribe&...), or
 * undefined when the request is not one. Read from the raw URL: a query parser would take "hub.mode" for a
 * nested key.
 */
export function readHubVerification(originalUrl: string): { verifyToken: string; challenge: string } | undefined {
  const query = new URL(originalUrl, 'http://localhost').searchParams;
  const verifyToken = query.get('hub.verify_token');
  const challenge = query.get('hub.challenge');
  if (query.get('hub.mode') !== 'subscribe' || !verifyToken || !challenge) return undefined;
  return { verifyToken, challenge };
}
