import { GraphApiError, InternalFileError, type InternalFilesClient } from '@switchboard/service-kit';
import {
  DeliveryResultV1,
  SendMessageRequestedV1,
  TOPICS,
  createEnvelope,
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
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CHANNEL_WHATSAPP_SCHEMA, CHANNEL_WHATSAPP_SERVICE, OUTBOUND_CONSUMER_GROUP } from '../channel-whatsapp.config';
import type { ChannelWhatsAppMetrics } from '../channel-whatsapp.metrics';
import type { WhatsAppConnectionRepository } from '../connections/whatsapp-connection.repository';
import type { WhatsAppCredentialsVault } from '../connections/whatsapp-credentials.vault';
import { meaningOf } from '../graph-api/graph-error.mapping';
import type { WhatsAppApiFactory, WhatsAppCloudApiClient } from '../graph-api/whatsapp-cloud-api.client';
import { planSends, withContext, withMediaId, type SendStep } from './whatsapp-send.plan';

export interface WhatsAppOutboundConsumerDeps {
  bus: EventBus;
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: WhatsAppConnectionRepository;
  sentCommands: SentCommandRepository;
  vault: WhatsAppCredentialsVault;
  api: WhatsAppApiFactory;
  metrics: ChannelWhatsAppMetrics;
  /** Operators' files: the bytes are read from the files service and uploaded to the number's media. */
  files: InternalFilesClient;
  logger: Logger;
  /** How many times a throughput limit (130429, 131056, ...) is backed off before the command fails as rate_limited. */
  rateLimitRetries?: number;
  /** First backoff; doubles per attempt (the Cloud API gives no retry-after). */
  rateLimitBaseDelayMs?: number;
}

/** A send ended with a final answer from the platform (no retry can change it). */
class PermanentSendFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
    /** Meta rejected the access token (190): the connection cannot send anything until reconnected. */
    readonly tokenInvalid = false,
  ) {
    super(message);
    this.name = 'PermanentSendFailure';
  }
}

/**
 * Sends operators' messages: consumes SendMessageRequestedV1 from messenger.outbound.whatsapp.v1 and
 * reports exactly one DeliveryResultV1 per command through the outbox. Idempotent per commandId: a
 * command already completed re-publishes its stored result and is not sent again. Final Graph API
 * errors become a failed result; throughput limits are backed off; transient errors (5xx, network)
 * throw so the reliable consumer retries with backoff and finally dead-letters. Error 190 (token
 * invalid) also marks the connection disconnected.
 */
export class WhatsAppOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: WhatsAppOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'whatsapp-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: OUTBOUND_CONSUMER_GROUP,
      topics: [outboundTopic('whatsapp')],
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
      await this.publishResult(command, stored, { store: false });
      return;
    }
    const outcome = await this.send(command.data, context);
    if (outcome.state === 'failed') {
      this.deps.metrics.sendFailures.inc({ reason: outcome.code });
      log.warn({ code: outcome.code, reason: outcome.message }, 'whatsapp send failed');
    } else {
      log.info({ platformMessageId: outcome.platformMessageId }, 'whatsapp message sent');
    }
    await this.publishResult(command, outcome, { store: true });
  }

  /** Stores the outcome and enqueues its DeliveryResultV1 in one transaction, then wakes the relay. */
  private async publishResult(command: Envelope<SendMessageRequested>, outcome: SendOutcome, options: { store: boolean }): Promise<void> {
    const { commandId, chatKey } = command.data;
    const data =
      outcome.state === 'sent'
        ? { state: 'sent' as const, commandId, chatKey, platformMessageId: outcome.platformMessageId, occurredAt: outcome.at.toISOString() }
        : { state: 'failed' as const, commandId, chatKey, failure: { code: outcome.code, message: outcome.message }, occurredAt: outcome.at.toISOString() };
    const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_WHATSAPP_SERVICE, key: chatKey, cause: command });
    await this.deps.dataSource.transaction(async (manager) => {
      // Lost the race to another worker: it enqueues its own (identical in meaning) result.
      if (options.store && !(await this.deps.sentCommands.insert(manager, commandId, outcome))) return;
      await enqueueOutbox(manager, CHANNEL_WHATSAPP_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
    });
    this.deps.relay.notify();
  }

  private async send(command: SendMessageRequested, context: BatchContext): Promise<SendOutcome> {
    const connection = await this.deps.connections.findById(command.connection.id);
    if (!connection || command.connection.channel !== 'whatsapp') {
      return failed('invalid_request', `WhatsApp connection ${command.connection.id} does not exist`);
    }
    if (connection.state === 'disconnected') {
      return failed('unauthorized', `WhatsApp number ${connection.displayPhoneNumber} is disconnected${connection.lastError ? `: ${connection.lastError}` : ''}`);
    }
    const api = this.deps.api(this.deps.vault.open(connection));
    const planned = planSends(command);
    // Over WhatsApp's limits: refused before anything is sent (the chat service refuses these earlier still).
    if (!Array.isArray(planned)) return failed(planned.code, planned.message);
    const steps = planned;
    if (steps.length === 0) return failed('invalid_request', 'The command has neither text, attachments nor a template');
    let firstMessageId: string | undefined;
    for (const [index, step] of steps.entries()) {
      try {
        const message = step.upload ? withMediaId(step, await this.uploadFile(api, connection.phoneNumberId, step, context)) : step.body;
        const body = withContext(message, index === 0 ? command.replyToPlatformMessageId : undefined);
        const sent = await this.withBackoff(step, context, async () => (await api.sendMessage(connection.phoneNumberId, body)).messages[0]!.id);
        this.deps.metrics.outboundSends.inc({ type: step.type });
        firstMessageId ??= sent;
      } catch (error) {
        if (!(error instanceof PermanentSendFailure)) {
          // Health for admins (state ERROR + lastError); the reliable consumer retries the command.
          await this.deps.connections.recordError(connection.id, `Sending failed, retrying: ${(error as Error).message}`);
          throw error;
        }
        if (error.tokenInvalid) {
          await this.deps.connections.markTokenInvalid(connection.id, `Access token rejected by Meta: ${error.message}`);
          this.logger.error({ connectionId: connection.id }, 'whatsapp access token invalid; connection disconnected');
        }
        const partial = index > 0 ? `partially sent (part ${index + 1} of ${steps.length} failed): ` : '';
        return failed(error.code, `${partial}${error.message}`);
      }
    }
    if (connection.state === 'error') await this.deps.connections.markHealthy(connection.id);
    return { state: 'sent', platformMessageId: firstMessageId!, at: new Date() };
  }

  /** The file's bytes from the files service, uploaded as the number's media: its id. A file gone for good fails the send. */
  private async uploadFile(api: WhatsAppCloudApiClient, phoneNumberId: string, step: SendStep, context: BatchContext): Promise<string> {
    const attachment = step.upload!;
    let file;
    try {
      file = await this.deps.files.content(attachment.url, attachment.sizeBytes);
    } catch (error) {
      if (error instanceof InternalFileError && error.permanent) throw new PermanentSendFailure('invalid_request', `The file "${attachment.fileName}" cannot be sent: ${error.message}`);
      throw error;
    }
    return this.withBackoff(step, context, () => api.uploadMedia(phoneNumberId, { bytes: file.bytes, fileName: attachment.fileName, mimeType: attachment.mimeType }));
  }

  /** Backs off throughput limits (doubling), heartbeating so the broker keeps the member. */
  private async withBackoff(step: SendStep, context: BatchContext, call: () => Promise<string>): Promise<string> {
    const limit = this.deps.rateLimitRetries ?? 5;
    const baseMs = this.deps.rateLimitBaseDelayMs ?? 1_000;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof GraphApiError)) throw error;
        const meaning = meaningOf(error);
        const described = `${error.code} ${error.graphMessage}${error.details ? `: ${error.details}` : ''}`;
        switch (meaning.kind) {
          case 'retry-later':
            if (attempt >= limit) throw new PermanentSendFailure('rate_limited', `WhatsApp kept limiting the ${step.type} message: ${described}`);
            this.logger.warn({ code: error.code, attempt: attempt + 1, of: limit }, 'whatsapp throughput limit; backing off');
            await waitWithHeartbeat(baseMs * 2 ** attempt, context);
            continue;
          case 'token-invalid':
            throw new PermanentSendFailure('unauthorized', described, true);
          case 'final':
            throw new PermanentSendFailure(meaning.code, described);
          case 'transient':
            // 5xx and "something went wrong": the reliable consumer retries, the dead-letter topic keeps what never works.
            throw error;
        }
      }
    }
  }
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
