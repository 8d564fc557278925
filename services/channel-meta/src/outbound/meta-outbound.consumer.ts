import {
  DeliveryResultV1,
  MEDIA_REFUSALS,
  SendMessageRequestedV1,
  TOPICS,
  createEnvelope,
  outboundMediaRefusal,
  outboundTopic,
  parseEvent,
  type Envelope,
  type FailureCode,
  type SendMessageRequested,
} from '@switchboard/contracts';
import {
  ShutdownInProgressError,
  enqueueOutbox,
  sleep,
  type BatchContext,
  type ConsumerHandle,
  type DecodedRecord,
  type EventBus,
  type OutboxRelay,
  type SendOutcome,
  type SentCommandRepository,
} from '@switchboard/messaging';
import { GraphApiError, InternalFileError, type InternalFilesClient } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CHANNEL_META_SCHEMA, CHANNEL_META_SERVICE, META_CHANNELS, OUTBOUND_CONSUMER_GROUP, type MetaChannel } from '../channel-meta.config';
import type { ChannelMetaMetrics } from '../channel-meta.metrics';
import type { MetaConnectionRecord, MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaApiFactory, MetaGraphApiClient } from '../graph-api/meta-graph-api.client';
import { metaMeaningOf } from '../graph-api/meta-graph-error.mapping';
import type { CommentRepository } from '../webhook/comment.repository';
import { directMediaRefusal, planDirectSends, splitText, type DirectSend } from './meta-send.plan';

/** Meta allows one private reply per comment, within 7 days of it (CHANNELS.md 7). */
export const PRIVATE_REPLY_WINDOW_MS = 7 * 24 * 3_600_000;
/** Meta caps a comment's text at 8000 characters. */
const COMMENT_TEXT_LIMIT = 8000;

export interface MetaOutboundConsumerDeps {
  bus: EventBus;
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: MetaConnectionRepository;
  comments: CommentRepository;
  sentCommands: SentCommandRepository;
  vault: MetaCredentialsVault;
  api: MetaApiFactory;
  metrics: ChannelMetaMetrics;
  /** Operators' files: uploaded with the Messenger send; Instagram and Facebook comments fetch a signed public link of the files service. */
  files: InternalFilesClient;
  logger: Logger;
  rateLimitRetries?: number;
  rateLimitBaseDelayMs?: number;
}

/** A send ended with a final answer (ours, before calling Meta, or Meta's): no retry can change it. */
class PermanentSendFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    readonly tokenInvalid = false,
  ) {
    super(message);
    this.name = 'PermanentSendFailure';
  }
}

/**
 * Sends operators' messages on the four Meta sources: consumes SendMessageRequestedV1 from their outbound
 * topics and reports exactly one DeliveryResultV1 per command through the outbox. Idempotent per commandId.
 * Direct messages go through the Send API; comment answers go public (under the comment) or private (one
 * Send API message to the commenter, within 7 days), refused before calling Meta when the rules forbid it.
 * A public Facebook comment answer may carry one photo, which Facebook downloads from a signed files-service link.
 */
export class MetaOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: MetaOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'meta-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: OUTBOUND_CONSUMER_GROUP,
      topics: META_CHANNELS.map((channel) => outboundTopic(channel)),
      handler: (records, context) => this.handleBatch(records, context),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  private async handleBatch(records: DecodedRecord[], context: BatchContext): Promise<void> {
    // In order: records of one chat share a partition, and the customer must see them in that order.
    for (const { envelope } of records) {
      if (!context.isActive()) throw new ShutdownInProgressError();
      await this.handleCommand(envelope, context);
    }
  }

  private async handleCommand(raw: Envelope, context: BatchContext): Promise<void> {
    // A contract violation throws: the reliable handler parks the record on the dead-letter topic.
    const command = parseEvent(SendMessageRequestedV1, raw);
    const log = this.logger.child({ commandId: command.data.commandId, chatKey: command.data.chatKey, eventId: command.id });
    const stored = await this.deps.sentCommands.find(command.data.commandId);
    if (stored) {
      log.info({ state: stored.state }, 'send command already completed; re-publishing its result');
      await this.publishResult(command, stored, false);
      return;
    }
    const outcome = await this.send(command.data, context);
    if (outcome.state === 'failed') {
      this.deps.metrics.sendFailures.inc({ reason: outcome.code });
      log.warn({ code: outcome.code, reason: outcome.message }, 'meta send failed');
    } else {
      this.deps.metrics.outboundSends.inc({ channel: command.data.connection.channel });
      log.info({ platformMessageId: outcome.platformMessageId }, 'meta message sent');
    }
    await this.publishResult(command, outcome, true);
  }

  /** Stores the outcome and enqueues its DeliveryResultV1 in one transaction, then wakes the relay. */
  private async publishResult(command: Envelope<SendMessageRequested>, outcome: SendOutcome, store: boolean): Promise<void> {
    const { commandId, chatKey } = command.data;
    const data =
      outcome.state === 'sent'
        ? { state: 'sent' as const, commandId, chatKey, platformMessageId: outcome.platformMessageId, occurredAt: outcome.at.toISOString() }
        : { state: 'failed' as const, commandId, chatKey, failure: { code: outcome.code, message: outcome.message }, occurredAt: outcome.at.toISOString() };
    const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_META_SERVICE, key: chatKey, cause: command });
    await this.deps.dataSource.transaction(async (manager) => {
      // Lost the race to another worker: it enqueues its own (identical in meaning) result.
      if (store && !(await this.deps.sentCommands.insert(manager, commandId, outcome))) return;
      await enqueueOutbox(manager, CHANNEL_META_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
    });
    this.deps.relay.notify();
  }

  private async send(command: SendMessageRequested, context: BatchContext): Promise<SendOutcome> {
    const channel = command.connection.channel as MetaChannel;
    const connection = await this.deps.connections.findById(command.connection.id);
    if (!connection || !(META_CHANNELS as readonly string[]).includes(channel)) return failed('invalid_request', `Meta connection ${command.connection.id} does not exist`);
    if (connection.state === 'disconnected') {
      return failed('unauthorized', `Page ${connection.pageName} is disconnected${connection.lastError ? `: ${connection.lastError}` : ''}`);
    }
    const instagram = channel === 'instagram' || channel === 'instagram-comments';
    if (instagram && !connection.instagramAccountId) return failed('invalid_request', `Page ${connection.pageName} has no linked Instagram account`);
    const api = this.deps.api(this.deps.vault.open(connection));
    try {
      const messageId =
        channel === 'messenger' || channel === 'instagram'
          ? await this.sendDirect(api, connection, command, channel, context)
          : await this.answerComment(api, connection, command, channel, context);
      if (connection.state === 'error') await this.deps.connections.markHealthy(connection.id);
      return { state: 'sent', platformMessageId: messageId, at: new Date() };
    } catch (error) {
      if (!(error instanceof PermanentSendFailure)) {
        // Health for admins (state ERROR + lastError); the reliable consumer retries the command.
        await this.deps.connections.recordError(connection.id, `Sending failed, retrying: ${(error as Error).message}`);
        throw error;
      }
      if (error.tokenInvalid) {
        await this.deps.connections.markTokenInvalid(connection.id, `Page access token rejected by Meta: ${error.message}`);
        this.logger.error({ connectionId: connection.id }, 'meta page token invalid; connection disconnected');
      }
      return failed(error.code, error.message);
    }
  }

  private async sendDirect(api: MetaGraphApiClient, connection: MetaConnectionRecord, command: SendMessageRequested, channel: 'messenger' | 'instagram', context: BatchContext): Promise<string> {
    // Over the platform's limits: refused before anything is sent (the chat service refuses these earlier still).
    const refusal = directMediaRefusal(command, channel);
    if (refusal) throw new PermanentSendFailure(refusal.code, refusal.message);
    const bodies = planDirectSends(command, channel);
    if (bodies.length === 0) throw new PermanentSendFailure('invalid_request', 'The command has neither text nor attachments');
    const sender = channel === 'instagram' ? connection.instagramAccountId! : connection.pageId;
    let first: string | undefined;
    for (const [index, send] of bodies.entries()) {
      try {
        const result = await this.sendOne(api, sender, send, channel, context);
        first ??= result.message_id;
      } catch (error) {
        if (error instanceof PermanentSendFailure && index > 0) {
          throw new PermanentSendFailure(error.code, `partially sent (part ${index + 1} of ${bodies.length} failed): ${error.message}`, error.tokenInvalid);
        }
        throw error;
      }
    }
    return first!;
  }

  /** One Send API call; an attachment goes as an upload (Messenger) or as a link Instagram fetches. */
  private async sendOne(api: MetaGraphApiClient, sender: string, send: DirectSend, channel: 'messenger' | 'instagram', context: BatchContext) {
    const file = send.file;
    if (!file) return this.withBackoff(() => api.send(sender, send.body), context);
    try {
      if (channel === 'instagram') {
        const link = await this.deps.files.publicLink(file.url);
        return await this.withBackoff(() => api.send(sender, withPayload(send.body, { url: link.url })), context);
      }
      const content = await this.deps.files.content(file.url, file.sizeBytes);
      return await this.withBackoff(() => api.sendWithFile(sender, send.body, { bytes: content.bytes, fileName: file.fileName, mimeType: file.mimeType }), context);
    } catch (error) {
      if (error instanceof InternalFileError && error.permanent) throw new PermanentSendFailure('invalid_request', `The file "${file.fileName}" cannot be sent: ${error.message}`);
      throw error;
    }
  }

  private async answerComment(
    api: MetaGraphApiClient,
    connection: MetaConnectionRecord,
    command: SendMessageRequested,
    channel: 'facebook-comments' | 'instagram-comments',
    context: BatchContext,
  ): Promise<string> {
    const text = command.text?.trim() ?? '';
    if (text.length > COMMENT_TEXT_LIMIT) throw new PermanentSendFailure('too_large', `A comment answer is at most ${COMMENT_TEXT_LIMIT} characters`);
    if (command.commentReply === 'private') {
      // The chat service refuses these before a command exists; a command from elsewhere still must not lose its files.
      if (command.attachments.length > 0) throw new PermanentSendFailure('invalid_request', 'A private reply carries text only; a photo can go in a public reply');
      if (!text) throw new PermanentSendFailure('invalid_request', 'A private reply needs text');
    } else {
      if (!text && command.attachments.length === 0) throw new PermanentSendFailure('invalid_request', 'A comment answer needs text or a photo');
      // Over the platform's limits (Instagram replies take no files, Facebook one photo): refused before any call.
      const refusal = outboundMediaRefusal(channel, command.attachments);
      if (refusal) throw new PermanentSendFailure(refusal.reason === MEDIA_REFUSALS.tooLarge ? 'too_large' : 'invalid_request', refusal.message);
    }
    const comment = await this.deps.comments.target(command.chatKey, command.replyToPlatformMessageId);
    if (!comment) throw new PermanentSendFailure('invalid_request', `No customer comment to answer in chat ${command.chatKey}${command.replyToPlatformMessageId ? ` with id ${command.replyToPlatformMessageId}` : ''}`);
    if (command.commentReply !== 'private') {
      const photo = command.attachments[0];
      // Asked for at send time, like Instagram's: a command waiting in the topic never carries an expired link.
      const attachmentUrl = photo ? await this.publicLinkOf(photo) : undefined;
      const reply = { ...(text ? { message: text } : {}), ...(attachmentUrl ? { attachmentUrl } : {}) };
      return this.withBackoff(() => api.replyToComment(comment.commentId, channel === 'instagram-comments' ? 'replies' : 'comments', reply), context);
    }
    // Private reply: refused before calling Meta when the platform would reject it.
    if (Date.now() - comment.createdAt.getTime() >= PRIVATE_REPLY_WINDOW_MS) {
      throw new PermanentSendFailure('window_closed', `Comment ${comment.commentId} is older than 7 days: it can no longer be answered privately`);
    }
    if (!(await this.deps.comments.claimPrivateReply(comment.commentId))) {
      throw new PermanentSendFailure('invalid_request', `Comment ${comment.commentId} was already answered privately (one private reply per comment)`);
    }
    const sender = channel === 'instagram-comments' ? connection.instagramAccountId! : connection.pageId;
    const parts = splitText(text, channel === 'instagram-comments' ? 1000 : 2000);
    if (parts.length > 1) {
      await this.deps.comments.releasePrivateReply(comment.commentId);
      throw new PermanentSendFailure('too_large', 'A private reply is one message: shorten it to fit one Send API message');
    }
    try {
      const result = await this.withBackoff(() => api.send(sender, { recipient: { comment_id: comment.commentId }, message: { text } }), context);
      await this.deps.comments.completePrivateReply(comment.commentId, result.message_id);
      return result.message_id;
    } catch (error) {
      // Meta's own "already replied" (10900) uses the reply up; anything else gives the claim back.
      if (!(error instanceof PermanentSendFailure && error.message.startsWith('10900'))) await this.deps.comments.releasePrivateReply(comment.commentId);
      throw error;
    }
  }

  /** A signed public link of the operator's file, for a platform that fetches it; a file the files service cannot give fails the send. */
  private async publicLinkOf(file: SendMessageRequested['attachments'][number]): Promise<string> {
    try {
      return (await this.deps.files.publicLink(file.url)).url;
    } catch (error) {
      if (error instanceof InternalFileError && error.permanent) throw new PermanentSendFailure('invalid_request', `The file "${file.fileName}" cannot be sent: ${error.message}`);
      throw error;
    }
  }

  /** Backs off rate limits (doubling), heartbeating so the broker keeps the member; maps final errors. */
  private async withBackoff<T>(call: () => Promise<T>, context: BatchContext): Promise<T> {
    const limit = this.deps.rateLimitRetries ?? 5;
    const baseMs = this.deps.rateLimitBaseDelayMs ?? 1_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof GraphApiError)) throw error;
        const meaning = metaMeaningOf(error);
        const described = `${error.code}${error.subcode !== undefined ? `/${error.subcode}` : ''} ${error.graphMessage}${error.details ? `: ${error.details}` : ''}`;
        switch (meaning.kind) {
          case 'retry-later':
            if (attempt >= limit) throw new PermanentSendFailure('rate_limited', `Meta kept limiting the send: ${described}`);
            await waitWithHeartbeat(baseMs * 2 ** attempt, context);
            continue;
          case 'token-invalid':
            throw new PermanentSendFailure('unauthorized', described, true);
          case 'final':
            throw new PermanentSendFailure(meaning.code, described);
          case 'transient':
            throw error;
        }
      }
    }
  }
}

/** The body with its attachment's payload extended (e.g. by the URL the platform fetches). */
function withPayload(body: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const message = body['message'] as { attachment: { type: string; payload: Record<string, unknown> } };
  return { ...body, message: { ...message, attachment: { ...message.attachment, payload: { ...message.attachment.payload, ...extra } } } };
}

function failed(code: FailureCode, message: string): SendOutcome {
  return { state: 'failed', code, message: message || code, at: new Date() };
}

async function waitWithHeartbeat(ms: number, context: BatchContext): Promise<void> {
  const until = Date.now() + ms;
  for (let left = ms; left > 0; left = until - Date.now()) {
    if (!context.isActive()) throw new ShutdownInProgressError();
    await sleep(Math.min(1_000, left));
    await context.heartbeat();
  }
}
