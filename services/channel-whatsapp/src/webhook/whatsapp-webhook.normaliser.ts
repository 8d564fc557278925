import {
  ContractViolationError,
  DeliveryFailedV1,
  MessageReceivedV1,
  ReactionChangedV1,
  ReceiptReceivedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  chatKeyOf,
  createEnvelope,
  type ConnectionRef,
  type CustomerProfile,
  type Envelope,
  type FailureCode,
} from '@switchboard/contracts';
import { z } from 'zod';
import { CHANNEL_WHATSAPP_SERVICE } from '../channel-whatsapp.config';
import { meaningOf } from '../graph-api/graph-error.mapping';
import { contentOfMessage } from './whatsapp-message.content';
import {
  waChangeSchema,
  waMessageSchema,
  waMessagesValueSchema,
  waStatusSchema,
  waTypeSchemas,
  type WaMessage,
  type WaMessagesValue,
  type WaStatus,
  type WaWebhook,
} from './whatsapp-webhook.schema';

export type InboundKind = 'message' | 'reaction' | 'receipt' | 'unrecognised';

/** One event to publish; `order` is the platform time used to order events of one chat. */
export interface NormalisedEvent {
  kind: InboundKind;
  topic: string;
  envelope: Envelope;
  order: number;
  reason?: string;
}

/** A change that is not ours to publish (another app's number, a field we do not handle without a connection). */
export interface IgnoredChange {
  reason: 'unknown_phone_number' | 'no_connection_for_field';
  detail: string;
}

export interface WhatsAppConnectionScope {
  ref: ConnectionRef;
  wabaId: string;
}

export interface NormaliseBatchInput {
  webhook: WaWebhook;
  /** The connections this webhook may speak for (those whose app secret signed it), by phone_number_id. */
  connections: ReadonlyMap<string, WhatsAppConnectionScope>;
  now?: Date;
}

export interface NormalisedBatch {
  events: NormalisedEvent[];
  ignored: IgnoredChange[];
  /** Connections that had at least one change in this webhook (for "last webhook seen"). */
  touchedConnectionIds: Set<string>;
}

/**
 * Turns one Cloud API webhook (a batch: many entries, changes, messages and statuses) into inbound
 * events. Pure apart from envelope ids. Nothing acknowledged to Meta is lost: what cannot be mapped is
 * published whole as UnrecognisedPayloadV1. Events of one chat come out ordered by platform time, so
 * the bus (per-key order) hands them to the chat service in the order they happened.
 */
export function normaliseWebhook(input: NormaliseBatchInput): NormalisedBatch {
  const out: NormalisedBatch = { events: [], ignored: [], touchedConnectionIds: new Set() };
  for (const entry of input.webhook.entry) {
    for (const rawChange of entry.changes) {
      normaliseChange(input, entry.id, rawChange, out);
    }
  }
  return reorderWithinKeys(out);
}

/**
 * Per-chat order by platform time without disturbing other chats: each key's events take the positions
 * that key had in the batch, in time order (stable for equal timestamps).
 */
function reorderWithinKeys(batch: NormalisedBatch): NormalisedBatch {
  const byKey = new Map<string, NormalisedEvent[]>();
  for (const event of batch.events) {
    const list = byKey.get(event.envelope.key) ?? [];
    list.push(event);
    byKey.set(event.envelope.key, list);
  }
  for (const list of byKey.values()) list.sort((a, b) => a.order - b.order);
  const cursors = new Map<string, number>();
  batch.events = batch.events.map((event) => {
    const index = cursors.get(event.envelope.key) ?? 0;
    cursors.set(event.envelope.key, index + 1);
    return byKey.get(event.envelope.key)![index]!;
  });
  return batch;
}

function normaliseChange(input: NormaliseBatchInput, wabaId: string, rawChange: unknown, out: NormalisedBatch): void {
  const change = waChangeSchema.safeParse(rawChange);
  const byWaba = [...input.connections.values()].find((c) => c.wabaId === wabaId);
  if (!change.success || change.data.field !== 'messages') {
    // Account-level fields (template status, quality, ...) have no chat; keep them if we know the account.
    const field = change.success ? change.data.field : '(malformed change)';
    if (!byWaba) {
      out.ignored.push({ reason: 'no_connection_for_field', detail: `field ${field} of WABA ${wabaId}` });
      return;
    }
    out.touchedConnectionIds.add(byWaba.ref.id);
    out.events.push(unrecognised(input, byWaba.ref, `change field "${field}" is not handled`, rawChange, 0));
    return;
  }
  const value = waMessagesValueSchema.safeParse(change.data.value);
  if (!value.success) {
    if (byWaba) {
      out.touchedConnectionIds.add(byWaba.ref.id);
      out.events.push(unrecognised(input, byWaba.ref, `malformed messages change: ${z.prettifyError(value.error)}`, rawChange, 0));
    } else {
      out.ignored.push({ reason: 'no_connection_for_field', detail: `malformed messages change of WABA ${wabaId}` });
    }
    return;
  }
  const phoneNumberId = value.data.metadata.phone_number_id;
  const connection = input.connections.get(phoneNumberId);
  if (!connection) {
    out.ignored.push({ reason: 'unknown_phone_number', detail: `phone_number_id ${phoneNumberId}` });
    return;
  }
  out.touchedConnectionIds.add(connection.ref.id);
  for (const rawMessage of value.data.messages ?? []) out.events.push(normaliseMessage(input, connection.ref, value.data, rawMessage));
  for (const rawStatus of value.data.statuses ?? []) {
    const event = normaliseStatus(input, connection.ref, rawStatus);
    if (event) out.events.push(event);
  }
  const valueErrors = (change.data.value as Record<string, unknown>)['errors'];
  if (valueErrors !== undefined) out.events.push(unrecognised(input, connection.ref, 'change carries platform errors', rawChange, 0));
}

function normaliseMessage(input: NormaliseBatchInput, connection: ConnectionRef, value: WaMessagesValue, raw: unknown): NormalisedEvent {
  const parsed = waMessageSchema.safeParse(raw);
  if (!parsed.success) return unrecognised(input, connection, `malformed message: ${z.prettifyError(parsed.error)}`, raw, 0);
  const message = parsed.data as WaMessage;
  const occurredAtMs = Number(message.timestamp) * 1000;
  const scope = chatScope(connection, message.from);
  try {
    const customer = customerOf(message.from, value);
    if (message.type === 'reaction') {
      const reaction = waTypeSchemas.reaction.safeParse(message['reaction']);
      if (!reaction.success) return unrecognised(input, connection, `malformed reaction: ${z.prettifyError(reaction.error)}`, raw, occurredAtMs);
      // An empty emoji removes the reaction: the customer's set becomes empty.
      const reactions = reaction.data.emoji ? [reaction.data.emoji] : [];
      const envelope = createEnvelope(
        ReactionChangedV1,
        { ...scope, occurredAt: new Date(occurredAtMs).toISOString(), platformMessageId: reaction.data.message_id, customer, reactions },
        origin(input, scope.chatKey),
      );
      return { kind: 'reaction', topic: TOPICS.inbound, envelope, order: occurredAtMs };
    }
    const envelope = createEnvelope(
      MessageReceivedV1,
      {
        ...scope,
        occurredAt: new Date(occurredAtMs).toISOString(),
        platformMessageId: message.id,
        customer,
        content: contentOfMessage(message),
        ...(message.context?.id ? { replyToPlatformMessageId: message.context.id } : {}),
      },
      origin(input, scope.chatKey),
    );
    return { kind: 'message', topic: TOPICS.inbound, envelope, order: occurredAtMs };
  } catch (error) {
    // A payload that breaks our own contract (e.g. an out-of-range coordinate) is kept, not retried forever.
    if (error instanceof z.ZodError || error instanceof ContractViolationError) {
      return unrecognised(input, connection, `message does not fit the inbound contract: ${error.message.slice(0, 500)}`, raw, occurredAtMs);
    }
    throw error;
  }
}

/**
 * Statuses of our own messages. "sent" is already known from the send call's answer (the connector's
 * delivery result), so delivered and read become receipts and failed a DeliveryFailedV1 with Meta's
 * error; the chat service applies them forward-only, so late, repeated or out-of-order ones change nothing.
 */
function normaliseStatus(input: NormaliseBatchInput, connection: ConnectionRef, raw: unknown): NormalisedEvent | undefined {
  const parsed = waStatusSchema.safeParse(raw);
  if (!parsed.success) return unrecognised(input, connection, `malformed status: ${z.prettifyError(parsed.error)}`, raw, 0);
  const status: WaStatus = parsed.data;
  const occurredAtMs = Number(status.timestamp) * 1000;
  if (status.status === 'sent') return undefined;
  if (status.status !== 'delivered' && status.status !== 'read' && status.status !== 'failed') {
    return unrecognised(input, connection, `status "${status.status}" is not handled`, raw, occurredAtMs);
  }
  const scope = chatScope(connection, status.recipient_id);
  const common = { ...scope, occurredAt: new Date(occurredAtMs).toISOString(), platformMessageId: status.id };
  const envelope =
    status.status === 'failed'
      ? createEnvelope(
          DeliveryFailedV1,
          { ...common, failure: { code: failureCodeOf(status), message: failureMessage(status) } },
          origin(input, scope.chatKey),
        )
      : createEnvelope(ReceiptReceivedV1, { ...common, receipt: status.status }, origin(input, scope.chatKey));
  return { kind: 'receipt', topic: TOPICS.inbound, envelope, order: occurredAtMs };
}

/** The first error's code decides the failure code, with the same table as send errors. */
function failureCodeOf(status: WaStatus): FailureCode {
  const code = status.errors?.[0]?.code;
  if (code === undefined) return 'unknown';
  const meaning = meaningOf({ code, httpStatus: 400 });
  if (meaning.kind === 'final') return meaning.code;
  if (meaning.kind === 'retry-later') return 'rate_limited';
  return meaning.kind === 'token-invalid' ? 'unauthorized' : 'platform_error';
}

/** "131026 Message undeliverable: <details>" for each error Meta gave; the code leads so people can look it up. */
function failureMessage(status: WaStatus): string {
  const errors = status.errors ?? [];
  if (errors.length === 0) return 'WhatsApp reported the message as failed without a reason';
  return errors
    .map((e) => {
      const title = e.title ?? e.message ?? 'error';
      const details = e.error_data?.details;
      return `${e.code} ${title}${details && details !== title ? `: ${details}` : ''}`;
    })
    .join('; ');
}

interface ChatScope {
  connection: ConnectionRef;
  chatKey: string;
  externalChatId: string;
}

/** A chat is (phone number, customer wa_id) — CHANNELS.md "Keys at a glance". */
function chatScope(connection: ConnectionRef, waId: string): ChatScope {
  return { connection, externalChatId: waId, chatKey: chatKeyOf({ connectionId: connection.id, externalChatId: waId }) };
}

/**
 * The customer is the wa_id; the batch's contacts[] gives the profile name. (Business-scoped user ids
 * announced for 2026 would become the key with the phone as alias; their field names are unconfirmed.)
 */
function customerOf(waId: string, value: WaMessagesValue): CustomerProfile {
  const name = value.contacts?.find((c) => c.wa_id === waId)?.profile?.name?.trim();
  return {
    externalId: waId,
    displayName: name || `+${waId}`,
    phone: `+${waId}`,
    profileUrl: `https://wa.me/${waId}`,
  };
}

function unrecognised(input: NormaliseBatchInput, connection: ConnectionRef, reason: string, payload: unknown, order: number): NormalisedEvent {
  const envelope = createEnvelope(
    UnrecognisedPayloadV1,
    { connection, reason, payload },
    // Keyed by connection (see TOPIC_CATALOG): these have no trustworthy chat.
    origin(input, connection.id),
  );
  return { kind: 'unrecognised', topic: TOPICS.unrecognised, envelope, order, reason };
}

function origin(input: NormaliseBatchInput, key: string) {
  return { producer: CHANNEL_WHATSAPP_SERVICE, key, ...(input.now ? { time: input.now } : {}) };
}

/** The ConnectionRef every event of a number carries: what the customer wrote to. */
export function whatsAppConnectionRef(connection: { id: string; displayPhoneNumber: string; displayName: string }): ConnectionRef {
  return { id: connection.id, channel: 'whatsapp', displayName: connection.displayName || connection.displayPhoneNumber };
}
