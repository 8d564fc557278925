import { createHmac, randomBytes } from 'node:crypto';

// Signed here with node:crypto rather than service-kit's verifier module: the double computes Meta's
// wire format independently (and @switchboard/testing may not depend on service-kit, whose tests use it).
const HUB_SIGNATURE_HEADER = 'x-hub-signature-256';

/** X-Hub-Signature-256 as Meta sends it: sha256=<hex HMAC-SHA256(raw body, app secret)>. */
export function metaHubSignature(body: string | Buffer, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/**
 * Builders of Cloud API webhooks in the documented shape (CHANNELS.md 4): { object, entry: [{ id: WABA,
 * changes: [{ field: "messages", value: { messaging_product, metadata, contacts, messages, statuses } }] }] }.
 */
export interface WaNumberRef {
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export interface WaCustomerRef {
  waId: string;
  name?: string;
}

/** A new wamid as Meta formats them (base64 of an opaque id). */
export function newWamid(): string {
  return `wamid.${Buffer.from(`HBgM${randomBytes(12).toString('hex')}`).toString('base64')}`;
}

export function waTimestamp(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** One inbound message of any type: `payload` goes under the key named by `type` (e.g. text: { body }). */
export function waMessage(params: {
  from: WaCustomerRef;
  type: string;
  payload?: unknown;
  id?: string;
  at?: Date;
  replyTo?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  return {
    from: params.from.waId,
    id: params.id ?? newWamid(),
    timestamp: waTimestamp(params.at ?? new Date()),
    type: params.type,
    ...(params.replyTo ? { context: { from: '15550000000', id: params.replyTo } } : {}),
    ...(params.payload !== undefined ? { [params.type]: params.payload } : {}),
    ...params.extra,
  };
}

export function waText(from: WaCustomerRef, body: string, options: { id?: string; at?: Date; replyTo?: string } = {}): Record<string, unknown> {
  return waMessage({ from, type: 'text', payload: { body }, ...options });
}

export function waStatus(params: {
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | string;
  recipient: WaCustomerRef;
  at?: Date;
  errors?: Array<{ code: number; title: string; message?: string; details?: string }>;
}): Record<string, unknown> {
  return {
    id: params.wamid,
    status: params.status,
    timestamp: waTimestamp(params.at ?? new Date()),
    recipient_id: params.recipient.waId,
    ...(params.errors
      ? {
          errors: params.errors.map((e) => ({
            code: e.code,
            title: e.title,
            message: e.message ?? e.title,
            ...(e.details ? { error_data: { details: e.details } } : {}),
          })),
        }
      : {}),
  };
}

/** One change of field "messages" for a number, with the contacts the messages come from. */
export function waMessagesChange(params: {
  number: WaNumberRef;
  contacts?: WaCustomerRef[];
  messages?: unknown[];
  statuses?: unknown[];
}): { field: 'messages'; value: Record<string, unknown> } {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: params.number.displayPhoneNumber, phone_number_id: params.number.phoneNumberId },
      ...(params.contacts ? { contacts: params.contacts.map((c) => ({ profile: { name: c.name ?? '' }, wa_id: c.waId })) } : {}),
      ...(params.messages ? { messages: params.messages } : {}),
      ...(params.statuses ? { statuses: params.statuses } : {}),
    },
  };
}

/** A whole webhook: entries grouped by WABA, in the order given. */
export function waWebhook(entries: Array<{ wabaId: string; changes: unknown[] }>): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: entries.map((e) => ({ id: e.wabaId, changes: e.changes })) };
}

/** The exact bytes and headers Meta would POST, signed with the app secret. */
export function signedWebhook(payload: unknown, appSecret: string): { body: string; headers: Record<string, string> } {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { body, headers: { 'content-type': 'application/json', [HUB_SIGNATURE_HEADER]: metaHubSignature(body, appSecret) } };
}

/** POSTs a webhook to the connector; `signature` overrides the computed one (forgery tests). */
export function postWhatsAppWebhook(url: string, payload: unknown, options: { appSecret: string; signature?: string }): Promise<Response> {
  const signed = signedWebhook(payload, options.appSecret);
  const headers = options.signature !== undefined ? { ...signed.headers, [HUB_SIGNATURE_HEADER]: options.signature } : signed.headers;
  return fetch(url, { method: 'POST', headers, body: signed.body });
}
