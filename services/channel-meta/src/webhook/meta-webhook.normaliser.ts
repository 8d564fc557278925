import {
  CommentReceivedV1,
  ContractViolationError,
  MessageDeletedV1,
  MessageEchoedV1,
  MessageEditedV1,
  MessageReceivedV1,
  ReactionChangedV1,
  ReceiptReceivedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  chatKeyOf,
  createEnvelope,
  type ConnectionRef,
  type CustomerProfile,
  type EventContract,
  type Envelope,
} from '@switchboard/contracts';
import { orderWithinKeys } from '@switchboard/messaging';
import { z } from 'zod';
import { CHANNEL_META_SERVICE, type MetaChannel } from '../channel-meta.config';
import { contentOfMessage } from './meta-message.content';
import {
  changeSchema,
  eventSchemas,
  feedCommentSchema,
  instagramCommentSchema,
  messageSchema,
  messagingSchema,
  type MetaWebhook,
  type Messaging,
} from './meta-webhook.schema';

export type InboundKind = 'message' | 'echo' | 'edit' | 'delete' | 'reaction' | 'receipt' | 'comment' | 'unrecognised';

/** One event to publish; `order` is the platform time used to order events of one chat. */
export interface NormalisedEvent {
  kind: InboundKind;
  topic: string;
  envelope: Envelope;
  order: number;
  reason?: string;
}

export interface IgnoredItem {
  reason: 'unknown_account' | 'own_echo' | 'own_comment';
  detail: string;
}

/** A customer's comment to remember: what a later answer goes under, and its one private reply. */
export interface CommentRecord {
  commentId: string;
  connectionId: string;
  source: 'facebook' | 'instagram';
  chatKey: string;
  postId: string;
  commenterId: string;
  createdAt: Date;
}

/** What a signing connection lets this webhook speak for. */
export interface MetaConnectionScope {
  id: string;
  pageId: string;
  pageDisplayName: string;
  instagramAccountId: string | null;
  instagramDisplayName: string | null;
}

export interface NormaliseInput {
  webhook: MetaWebhook;
  /** Connections whose app secret signed the body, by Page id and by Instagram account id. */
  scope: ReadonlyMap<string, MetaConnectionScope>;
  /** Mids of messages this connector sent: their echoes are not mirrored (the send already is in the chat). */
  ownMids: ReadonlySet<string>;
  now?: Date;
}

export interface NormalisedBatch {
  events: NormalisedEvent[];
  ignored: IgnoredItem[];
  comments: CommentRecord[];
  touchedConnectionIds: Set<string>;
}

/** Our sends carry this in message.metadata (Messenger echoes it back): how we know an echo is ours before its mid is stored. */
export const OWN_SEND_METADATA_PREFIX = 'switchboard:';

/**
 * Turns one Page or Instagram webhook (a batch: many entries, messaging items and changes) into inbound
 * events. Pure apart from envelope ids. Nothing acknowledged to Meta is lost: what cannot be mapped is
 * published whole as UnrecognisedPayloadV1. Events of one chat come out ordered by platform time.
 */
export function normaliseWebhook(input: NormaliseInput): NormalisedBatch {
  const out: NormalisedBatch = { events: [], ignored: [], comments: [], touchedConnectionIds: new Set() };
  const instagram = input.webhook.object === 'instagram';
  for (const entry of input.webhook.entry) {
    const connection = input.scope.get(entry.id);
    const valid = connection && (instagram ? connection.instagramAccountId === entry.id : connection.pageId === entry.id);
    if (!connection || !valid) {
      out.ignored.push({ reason: 'unknown_account', detail: `${input.webhook.object} ${entry.id}` });
      continue;
    }
    out.touchedConnectionIds.add(connection.id);
    const ctx = { input, connection, instagram, out, entryTimeMs: toMs(entry.time) };
    for (const item of [...(entry.messaging ?? []), ...(entry.standby ?? [])]) messagingItem(ctx, item);
    for (const change of entry.changes ?? []) changeItem(ctx, change);
  }
  out.events = orderWithinKeys(out.events, (e) => e.envelope.key, (e) => e.order);
  return out;
}

interface Ctx {
  input: NormaliseInput;
  connection: MetaConnectionScope;
  instagram: boolean;
  out: NormalisedBatch;
  entryTimeMs: number;
}

function messagingItem(ctx: Ctx, raw: unknown): void {
  const parsed = messagingSchema.safeParse(raw);
  if (!parsed.success) return push(ctx, unrecognised(ctx, `malformed messaging item: ${z.prettifyError(parsed.error)}`, raw, 0));
  const item = parsed.data as Messaging;
  const channel: MetaChannel = ctx.instagram ? 'instagram' : 'messenger';
  const ownId = ctx.instagram ? ctx.connection.instagramAccountId! : ctx.connection.pageId;
  const fromBusiness = item.sender.id === ownId;
  const customerId = fromBusiness ? item.recipient.id : item.sender.id;
  const scope = chatScope(ctx, channel, customerId);
  const at = new Date(item.timestamp).toISOString();
  const customer: CustomerProfile = customerProfile(ctx.instagram, customerId);
  const make = <T>(kind: InboundKind, contract: EventContract<string, z.ZodType<T>>, data: unknown): void => {
    try {
      push(ctx, { kind, topic: TOPICS.inbound, envelope: createEnvelope(contract, data as T, origin(ctx, scope.chatKey)), order: item.timestamp });
    } catch (error) {
      // A payload that breaks our own contract is kept whole, not retried forever.
      if (!(error instanceof z.ZodError || error instanceof ContractViolationError)) throw error;
      push(ctx, unrecognised(ctx, `item does not fit the inbound contract: ${error.message.slice(0, 500)}`, raw, item.timestamp));
    }
  };

  if (item['message'] !== undefined) {
    const message = messageSchema.safeParse(item['message']);
    if (!message.success) return push(ctx, unrecognised(ctx, `malformed message: ${z.prettifyError(message.error)}`, raw, item.timestamp));
    const m = message.data;
    if (m.is_deleted) return make('delete', MessageDeletedV1, { ...scope, occurredAt: at, platformMessageId: m.mid });
    if (m.is_echo || fromBusiness) {
      if (ctx.input.ownMids.has(m.mid) || m.metadata?.startsWith(OWN_SEND_METADATA_PREFIX)) {
        ctx.out.ignored.push({ reason: 'own_echo', detail: m.mid });
        return;
      }
      const replyTo = m.reply_to?.mid;
      return make('echo', MessageEchoedV1, { ...scope, occurredAt: at, platformMessageId: m.mid, content: contentOfMessage(m), ...(replyTo ? { replyToPlatformMessageId: replyTo } : {}) });
    }
    const replyTo = m.reply_to?.mid;
    return make('message', MessageReceivedV1, {
      ...scope,
      occurredAt: at,
      platformMessageId: m.mid,
      customer,
      content: contentOfMessage(m),
      ...(replyTo ? { replyToPlatformMessageId: replyTo } : {}),
    });
  }
  if (item['message_edit'] !== undefined) {
    const edit = eventSchemas.messageEdit.safeParse(item['message_edit']);
    if (!edit.success) return push(ctx, unrecognised(ctx, 'malformed message_edit', raw, item.timestamp));
    return make('edit', MessageEditedV1, {
      ...scope,
      occurredAt: at,
      platformMessageId: edit.data.mid,
      customer,
      content: edit.data.text !== undefined ? { text: edit.data.text, attachments: [] } : { attachments: [], placeholder: '[edited message]' },
      editedAt: at,
    });
  }
  if (item['reaction'] !== undefined) {
    const reaction = eventSchemas.reaction.safeParse(item['reaction']);
    if (!reaction.success) return push(ctx, unrecognised(ctx, 'malformed reaction', raw, item.timestamp));
    const emoji = reaction.data.emoji ?? reaction.data.reaction;
    // Meta reports one reaction per person: "unreact" empties the set.
    const reactions = reaction.data.action === 'unreact' || !emoji ? [] : [emoji];
    return make('reaction', ReactionChangedV1, { ...scope, occurredAt: at, platformMessageId: reaction.data.mid, customer, reactions });
  }
  if (item['read'] !== undefined || item['delivery'] !== undefined) {
    const receipt = item['read'] !== undefined ? 'read' : 'delivered';
    const body = (receipt === 'read' ? eventSchemas.read : eventSchemas.delivery).safeParse(item[receipt === 'read' ? 'read' : 'delivery']);
    if (!body.success) return push(ctx, unrecognised(ctx, `malformed ${receipt} receipt`, raw, item.timestamp));
    const data = body.data as { watermark?: number; mid?: string; mids?: string[] };
    // Messenger watermarks: everything we sent at or before this time was delivered/read.
    if (data.watermark !== undefined) return make('receipt', ReceiptReceivedV1, { ...scope, occurredAt: at, receipt, upTo: new Date(data.watermark).toISOString() });
    const mids = data.mid ? [data.mid] : (data.mids ?? []);
    if (mids.length === 0) return push(ctx, unrecognised(ctx, `${receipt} receipt without watermark or mid`, raw, item.timestamp));
    for (const mid of mids) make('receipt', ReceiptReceivedV1, { ...scope, occurredAt: at, receipt, platformMessageId: mid });
    return;
  }
  if (item['postback'] !== undefined) {
    const postback = eventSchemas.postback.safeParse(item['postback']);
    if (!postback.success) return push(ctx, unrecognised(ctx, 'malformed postback', raw, item.timestamp));
    return make('message', MessageReceivedV1, {
      ...scope,
      occurredAt: at,
      // A postback has a mid on newer versions; otherwise the (customer, time) pair is its natural key.
      platformMessageId: postback.data.mid ?? `postback:${customerId}:${item.timestamp}`,
      customer,
      content: { attachments: [], ...(postback.data.title ? { text: postback.data.title } : { placeholder: '[button pressed]' }), raw: item },
    });
  }
  if (item['referral'] !== undefined) {
    const referral = eventSchemas.referral.safeParse(item['referral']);
    if (!referral.success) return push(ctx, unrecognised(ctx, 'malformed referral', raw, item.timestamp));
    const { source, ref } = referral.data;
    return make('message', MessageReceivedV1, {
      ...scope,
      occurredAt: at,
      platformMessageId: `referral:${customerId}:${item.timestamp}`,
      customer,
      content: { attachments: [], placeholder: `[came from ${(source ?? 'a link').toLowerCase()}${ref ? ` (ref ${ref})` : ''}]`, raw: item },
    });
  }
  push(ctx, unrecognised(ctx, `messaging event "${Object.keys(item).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k)).join(',') || 'empty'}" is not handled`, raw, item.timestamp));
}

function changeItem(ctx: Ctx, raw: unknown): void {
  const change = changeSchema.safeParse(raw);
  if (!change.success) return push(ctx, unrecognised(ctx, 'malformed change', raw, 0));
  const { field, value } = change.data;
  if (!ctx.instagram && field === 'feed' && (value as { item?: unknown } | null)?.item === 'comment') return facebookComment(ctx, value, raw);
  if (ctx.instagram && field === 'comments') return instagramComment(ctx, value, raw);
  push(ctx, unrecognised(ctx, `change field "${field}"${field === 'feed' ? ` item "${String((value as { item?: unknown } | null)?.item)}"` : ''} is not handled`, raw, ctx.entryTimeMs));
}

function facebookComment(ctx: Ctx, value: unknown, raw: unknown): void {
  const parsed = feedCommentSchema.safeParse(value);
  if (!parsed.success) return push(ctx, unrecognised(ctx, `malformed feed comment: ${z.prettifyError(parsed.error)}`, raw, ctx.entryTimeMs));
  const c = parsed.data;
  if (c.from.id === ctx.connection.pageId) {
    ctx.out.ignored.push({ reason: 'own_comment', detail: c.comment_id });
    return;
  }
  const atMs = toMs(c.created_time) || ctx.entryTimeMs;
  const customer: CustomerProfile = { externalId: c.from.id, displayName: c.from.name?.trim() || `Facebook user ${c.from.id}` };
  const attachments = [c.photo ? { kind: 'image' as const, platformFileId: c.photo } : undefined, c.video ? { kind: 'video' as const, platformFileId: c.video } : undefined].filter(
    (a) => a !== undefined,
  );
  const content = { attachments, ...(c.message ? { text: c.message } : attachments.length === 0 ? { placeholder: '[comment without text]' } : {}), raw: value as Record<string, unknown> };
  const parent = c.parent_id && c.parent_id !== c.post_id ? c.parent_id : undefined;
  const post = { id: c.post_id, ...(c.post?.permalink_url && URL.canParse(c.post.permalink_url) ? { url: c.post.permalink_url } : {}) };
  commentEvent(ctx, 'facebook-comments', c.verb, { commentId: c.comment_id, postId: c.post_id, customer, content, parent, post, atMs }, raw);
}

function instagramComment(ctx: Ctx, value: unknown, raw: unknown): void {
  const parsed = instagramCommentSchema.safeParse(value);
  if (!parsed.success) return push(ctx, unrecognised(ctx, `malformed instagram comment: ${z.prettifyError(parsed.error)}`, raw, ctx.entryTimeMs));
  const c = parsed.data;
  if (c.from.id === ctx.connection.instagramAccountId) {
    ctx.out.ignored.push({ reason: 'own_comment', detail: c.id });
    return;
  }
  const customer: CustomerProfile = {
    externalId: c.from.id,
    displayName: c.from.username ? `@${c.from.username}` : `Instagram user ${c.from.id}`,
    ...(c.from.username ? { username: c.from.username, profileUrl: `https://www.instagram.com/${encodeURIComponent(c.from.username)}` } : {}),
  };
  const content = { attachments: [], ...(c.text ? { text: c.text } : { placeholder: '[comment without text]' }), raw: value as Record<string, unknown> };
  commentEvent(ctx, 'instagram-comments', 'add', { commentId: c.id, postId: c.media.id, customer, content, parent: c.parent_id, post: { id: c.media.id }, atMs: ctx.entryTimeMs }, raw);
}

function commentEvent(
  ctx: Ctx,
  channel: 'facebook-comments' | 'instagram-comments',
  verb: string,
  c: { commentId: string; postId: string; customer: CustomerProfile; content: Record<string, unknown>; parent: string | undefined; post: { id: string; url?: string }; atMs: number },
  raw: unknown,
): void {
  // Chat = connection + post + commenter (FEATURES S3: each post's thread from one customer is a chat).
  const scope = chatScope(ctx, channel, `${c.postId}:${c.customer.externalId}`);
  const at = new Date(c.atMs).toISOString();
  try {
    let envelope: Envelope;
    let kind: InboundKind;
    if (verb === 'add') {
      kind = 'comment';
      envelope = createEnvelope(
        CommentReceivedV1,
        { ...scope, occurredAt: at, platformMessageId: c.commentId, customer: c.customer, content: c.content, post: c.post, ...(c.parent ? { parentCommentId: c.parent } : {}) } as never,
        origin(ctx, scope.chatKey),
      );
      ctx.out.comments.push({
        commentId: c.commentId,
        connectionId: ctx.connection.id,
        source: channel === 'facebook-comments' ? 'facebook' : 'instagram',
        chatKey: scope.chatKey,
        postId: c.postId,
        commenterId: c.customer.externalId,
        createdAt: new Date(c.atMs),
      });
    } else if (verb === 'edited') {
      kind = 'edit';
      envelope = createEnvelope(MessageEditedV1, { ...scope, occurredAt: at, platformMessageId: c.commentId, customer: c.customer, content: c.content, editedAt: at } as never, origin(ctx, scope.chatKey));
    } else if (verb === 'remove') {
      kind = 'delete';
      envelope = createEnvelope(MessageDeletedV1, { ...scope, occurredAt: at, platformMessageId: c.commentId }, origin(ctx, scope.chatKey));
    } else {
      return push(ctx, unrecognised(ctx, `comment verb "${verb}" is not handled`, raw, c.atMs));
    }
    push(ctx, { kind, topic: TOPICS.inbound, envelope, order: c.atMs });
  } catch (error) {
    if (!(error instanceof z.ZodError || error instanceof ContractViolationError)) throw error;
    push(ctx, unrecognised(ctx, `comment does not fit the inbound contract: ${error.message.slice(0, 500)}`, raw, c.atMs));
  }
}

interface ChatScope {
  connection: ConnectionRef;
  chatKey: string;
  externalChatId: string;
}

function chatScope(ctx: Ctx, channel: MetaChannel, externalChatId: string): ChatScope {
  const instagram = channel === 'instagram' || channel === 'instagram-comments';
  const displayName = instagram ? (ctx.connection.instagramDisplayName ?? ctx.connection.pageDisplayName) : ctx.connection.pageDisplayName;
  return { connection: { id: ctx.connection.id, channel, displayName }, externalChatId, chatKey: chatKeyOf({ connectionId: ctx.connection.id, externalChatId }) };
}

/** Messenger and Instagram Direct give only a scoped id in webhooks; the name needs a profile call (not made here). */
function customerProfile(instagram: boolean, id: string): CustomerProfile {
  return { externalId: id, displayName: instagram ? `Instagram user ${id}` : `Messenger user ${id}` };
}

function unrecognised(ctx: Ctx, reason: string, payload: unknown, order: number): NormalisedEvent {
  const connection: ConnectionRef = { id: ctx.connection.id, channel: ctx.instagram ? 'instagram' : 'messenger', displayName: ctx.connection.pageDisplayName };
  // Keyed by connection (see TOPIC_CATALOG): these have no trustworthy chat.
  const envelope = createEnvelope(UnrecognisedPayloadV1, { connection, reason, payload }, origin(ctx, ctx.connection.id));
  return { kind: 'unrecognised', topic: TOPICS.unrecognised, envelope, order, reason };
}

function push(ctx: Ctx, event: NormalisedEvent): void {
  ctx.out.events.push(event);
}

function origin(ctx: Ctx, key: string) {
  return { producer: CHANNEL_META_SERVICE, key, ...(ctx.input.now ? { time: ctx.input.now } : {}) };
}

/** Meta mixes epoch milliseconds, unix seconds and ISO strings; 0 when absent or unreadable. */
function toMs(value: number | string | undefined): number {
  if (value === undefined) return 0;
  if (typeof value === 'string') return /^\d+$/.test(value) ? toMs(Number(value)) : Date.parse(value) || 0;
  return value < 1e12 ? value * 1000 : value;
}
