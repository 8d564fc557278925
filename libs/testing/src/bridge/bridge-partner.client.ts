import { partnerSignature } from './bridge-signature';

/** What a partner's request to Switchboard's bridge came back with. */
export interface BridgeAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/**
 * Sends one message the way a partner does (docs/bridge.md): raw JSON bytes, signed, with an
 * Idempotency-Key. Tests override any part to forge, replay or break the request.
 */
export async function postBridgeMessage(params: {
  baseUrl: string;
  connectionId: string;
  secret: string;
  body: string;
  idempotencyKey?: string | undefined;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  /** Replaces the computed signature (a forgery). */
  signature?: string;
  /** Headers to leave out entirely. */
  omit?: Array<'timestamp' | 'signature' | 'idempotency-key'>;
}): Promise<BridgeAnswer> {
  const timestamp = String(params.timestamp ?? Math.floor(Date.now() / 1000));
  const omit = new Set(params.omit ?? []);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (!omit.has('timestamp')) headers['x-switchboard-timestamp'] = timestamp;
  if (!omit.has('signature')) headers['x-switchboard-signature'] = params.signature ?? partnerSignature(params.secret, timestamp, params.body);
  if (!omit.has('idempotency-key') && params.idempotencyKey !== undefined) headers['idempotency-key'] = params.idempotencyKey;
  const response = await fetch(`${params.baseUrl}/bridge/v1/connections/${params.connectionId}/messages`, { method: 'POST', headers, body: params.body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}
