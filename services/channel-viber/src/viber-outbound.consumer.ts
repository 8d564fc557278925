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
} from '@switchboard/messaging';
import { InternalFileError, type InternalFilesClient } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CHANNEL_VIBER_SCHEMA, CHANNEL_VIBER_SERVICE, VIBER_OUTBOUND_CONSUMER_GROUP } from './channel-viber.config';
import type { ChannelViberMetrics } from './channel-viber.metrics';
import type { SendOutcome, SentCommandRepository } from './sent-command.repository';
import { ViberApiError, ViberNetworkError, type ViberApiClient, type ViberApiFactory, type ViberOutgoingMessage } from './viber-api.client';
import type { ViberConnectionRecord, ViberConnectionRepository } from './viber-connection.repository';
import { planViberMessages, viberMediaRefusal } from './viber-outbound.plan';
import { statusMeaning } from './viber-status';
import type { ViberTokenVault } from './viber-token.vault';

export interface ViberOutboundConsumerDeps {
  bus: EventBus;
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: ViberConnectionRepository;
  sentCommands: SentCommandRepository;
  tokens: ViberTokenVault;
  api: ViberApiFactory;
  metrics: ChannelViberMetrics;
  /** Operators' files: Viber only takes media by URL, so the files service signs a public link per file. */
  files: InternalFilesClient;
  logger: Logger;
  /** Attempts per send_message for "too many requests" and unanswered requests. */
  sendAttempts: number;
  /** First pause between attempts; doubles each time. */
  backoffMs: number;
}

/** A send ended with a final answer (no retry can change it). */
class PermanentSendFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'PermanentSendFailure';
  }
}

/**
 * Sends operators' messages from messenger.outbound.viber.v1 and reports exactly one DeliveryResultV1 per
 * command through the outbox. A command is claimed in sent_commands before Viber is called, so a
 * redelivered command never sends twice: a completed one re-publishes its result; one interrupted
 * mid-send (crash) is reported failed rather than risk a duplicate. Only subscribed users are messaged.
 */
export class ViberOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: ViberOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'viber-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: VIBER_OUTBOUND_CONSUMER_GROUP,
      topics: [outboundTopic('viber')],
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
    const { commandId } = command.data;
    const log = this.logger.child({ commandId, chatKey: command.data.chatKey, eventId: command.id });
    const stored = await this.deps.sentCommands.claim(commandId, command.data.connection.id);
    if (stored && stored.state !== 'sending') {
      log.info({ state: stored.state }, 'send command already completed; re-publishing its result');
      await this.publish(command, stored, { complete: false });
      return;
    }
    let outcome: SendOutcome;
    if (stored) {
      outcome = failed('unknown', 'Sending was interrupted (the connector stopped mid-send); not sent again to avoid a duplicate. Check the chat in Viber and resend if needed.');
    } else {
      try {
        outcome = await this.send(command.data, context);
      } catch (error) {
        // Nothing reached Viber (every Viber answer is classified inside send): give the claim back so the retry may send.
        await this.deps.sentCommands.release(commandId);
        throw error;
      }
    }
    if (outcome.state === 'failed') {
      this.deps.metrics.sendFailures.inc({ reason: outcome.code });
      log.warn({ code: outcome.code, reason: outcome.message }, 'viber send failed');
    } else {
      log.info({ messageToken: outcome.messageToken }, 'viber message sent');
    }
    await this.publish(command, outcome, { complete: true });
  }

  /** Completes the claim and enqueues its DeliveryResultV1 in one transaction, then wakes the relay. */
  private async publish(command: Envelope<SendMessageRequested>, outcome: SendOutcome, options: { complete: boolean }): Promise<void> {
    const { commandId, chatKey } = command.data;
    const occurredAt = outcome.at.toISOString();
    const data =
      outcome.state === 'sent'
        ? { state: 'sent' as const, commandId, chatKey, platformMessageId: outcome.messageToken, occurredAt }
        : { state: 'failed' as const, commandId, chatKey, failure: { code: outcome.code, message: outcome.message }, occurredAt };
    const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_VIBER_SERVICE, key: chatKey, cause: command });
    await this.deps.dataSource.transaction(async (manager) => {
      // Another worker completed it first (a rebalance): its result is the one published.
      if (options.complete && !(await this.deps.sentCommands.complete(manager, commandId, outcome))) return;
      await enqueueOutbox(manager, CHANNEL_VIBER_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
    });
    this.deps.relay.notify();
  }

  private async send(command: SendMessageRequested, context: BatchContext): Promise<SendOutcome> {
    const connection = await this.deps.connections.findById(command.connection.id);
    if (!connection || command.connection.channel !== 'viber') return failed('invalid_request', `Viber connection ${command.connection.id} does not exist`);
    if (connection.state === 'disconnected') return failed('unauthorized', `Viber connection ${connection.displayName} is disconnected`);
    const subscription = await this.deps.connections.subscription(connection.id, command.externalChatId);
    if (!subscription?.subscribed) {
      const when = subscription ? ` (unsubscribed ${subscription.changedAt.toISOString()})` : '';
      return failed('not_subscribed', `The customer is not subscribed to the Viber bot${when}; Viber lets bots message subscribers only`);
    }
    // Over Viber's limits: refused before anything is sent (the chat service refuses these earlier still).
    const refusal = viberMediaRefusal(command);
    if (refusal) return failed(refusal.code, refusal.message);
    const links = await this.publicLinks(command);
    if (!Array.isArray(links)) return failed(links.code, links.message);
    const messages = planViberMessages(command, links);
    if (messages.length === 0) return failed('invalid_request', 'The command has neither text nor attachments');
    const api = this.deps.api(this.deps.tokens.open(connection));
    let firstToken: string | undefined;
    for (const [index, message] of messages.entries()) {
      try {
        const sent = await this.sendWithRetries(api, connection, command.externalChatId, message, context);
        this.deps.metrics.outboundSends.inc({ type: message.type });
        firstToken ??= sent;
      } catch (error) {
        if (!(error instanceof PermanentSendFailure)) throw error;
        const partial = index > 0 ? `partially sent (part ${index + 1} of ${messages.length} failed): ` : '';
        return failed(error.code, `${partial}${error.message}`);
      }
    }
    return { state: 'sent', messageToken: firstToken!, at: new Date() };
  }

  /**
   * Links Viber can fetch (FILES_PUBLIC_URL, signed for this one file), asked for at send time so a command
   * that waited in the topic never carries an expired link. A file gone for good fails the send.
   */
  private async publicLinks(command: SendMessageRequested): Promise<string[] | { code: FailureCode; message: string }> {
    const links: string[] = [];
    for (const attachment of command.attachments) {
      try {
        links.push((await this.deps.files.publicLink(attachment.url)).url);
      } catch (error) {
        if (error instanceof InternalFileError && error.permanent) return { code: 'invalid_request', message: `The file "${attachment.fileName}" cannot be sent: ${error.message}` };
        throw error;
      }
    }
    return links;
  }

  /** Retries "too many requests" and unanswered requests with doubling pauses, heartbeating meanwhile; then fails. */
  private async sendWithRetries(
    api: ViberApiClient,
    connection: ViberConnectionRecord,
    receiver: string,
    message: ViberOutgoingMessage,
    context: BatchContext,
  ): Promise<string> {
    const attempts = this.deps.sendAttempts;
    for (let attempt = 1; ; attempt++) {
      let retryReason: string;
      try {
        return (await api.sendMessage({ receiver, senderName: connection.senderName, message })).messageToken;
      } catch (error) {
        if (error instanceof ViberApiError) {
          const meaning = statusMeaning(error.status);
          if (meaning.connectionBroken) await this.deps.connections.recordError(connection.id, `${meaning.reason} (status ${error.status}: ${error.statusMessage})`);
          if (!meaning.retryable || attempt >= attempts) {
            const tries = meaning.retryable ? ` after ${attempt} attempts` : '';
            throw new PermanentSendFailure(meaning.code, `Viber: ${meaning.reason}${tries} (status ${error.status}: ${error.statusMessage})`);
          }
          retryReason = meaning.reason;
        } else if (error instanceof ViberNetworkError) {
          if (attempt >= attempts) throw new PermanentSendFailure('platform_error', `Viber did not answer after ${attempt} attempts: ${error.message}`);
          retryReason = error.message;
        } else {
          throw error;
        }
      }
      const waitMs = this.deps.backoffMs * 2 ** (attempt - 1);
      this.logger.warn({ attempt, of: attempts, waitMs, reason: retryReason }, 'viber send_message will be retried');
      await waitWithHeartbeat(waitMs, context);
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
