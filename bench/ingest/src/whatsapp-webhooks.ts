import { waMessagesChange, waText, waWebhook, type WaCustomerRef, type WaNumberRef } from '@switchboard/testing';
import { FIRST_NAMES, LAST_NAMES, taggedText } from './tagged-text';

// What the WhatsApp profile sends: Cloud API webhooks as Meta batches them (CHANNELS.md 4), one entry for the
// number's WABA with one "messages" change whose value carries several customers' text messages and their
// contacts. Customers take turns, so the messages of one POST belong to different chats (as long as there are
// at least as many customers as the batch size). Each text is tagged with its message id (tagged-text.ts).

export function benchWaCustomer(index: number): WaCustomerRef {
  return { waId: String(380_600_000_000 + index), name: `${FIRST_NAMES[index % FIRST_NAMES.length]!} ${LAST_NAMES[index % LAST_NAMES.length]!}` };
}

/** A wamid unique to the run and message, in Meta's shape (base64 of an opaque id). */
export function benchWamid(run: string, messageId: number): string {
  return `wamid.${Buffer.from(`HBgM${run}${messageId.toString(16).padStart(12, '0')}`).toString('base64')}`;
}

/**
 * One webhook carrying `count` messages: message k has id firstMessageId + k and takes the customer and text
 * of position firstSequence + k in the rotation.
 */
export function benchWhatsAppWebhook(params: {
  run: string;
  number: WaNumberRef;
  firstMessageId: number;
  firstSequence: number;
  count: number;
  customers: number;
  at?: Date;
}): Record<string, unknown> {
  const at = params.at ?? new Date();
  const contacts = new Map<string, WaCustomerRef>();
  const messages = Array.from({ length: params.count }, (_, k) => {
    const id = params.firstMessageId + k;
    const sequence = params.firstSequence + k;
    const from = benchWaCustomer(sequence % params.customers);
    contacts.set(from.waId, from);
    return waText(from, taggedText(params.run, id, sequence), { id: benchWamid(params.run, id), at });
  });
  return waWebhook([{ wabaId: params.number.wabaId, changes: [waMessagesChange({ number: params.number, contacts: [...contacts.values()], messages })] }]);
}
