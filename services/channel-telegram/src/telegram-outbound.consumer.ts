import {
  DeliveryResultV1,
  SendMessageRequestedV1,
  TOPICS,
  createEnvelope,
  outboundMediaDecision,
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
import { InternalFileError, type InternalFilesClient } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { CHANNEL_TELEGRAM_SCHEMA, CHANNEL_TELEGRAM_SERVICE, OUTBOUND_CONSUMER_GROUP } from './channel-telegram.config';
import type { ChannelTelegramMetrics } from './channel-telegram.metrics';
import { TelegramApiError, TelegramInputFile, type TelegramApiFactory, type TelegramBotApiClient, type TelegramSentMessage } from './telegram-bot-api.client';
import type { TelegramConnectionRepository } from './telegram-connection.repository';
import { TELEGRAM_CAPTION_LIMIT, splitMessageText } from './telegram-text.util';
import type { TelegramTokenVault } from './telegram-token.vault';

export interface TelegramOutboundConsumerDeps {
  bus: EventBus;
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: TelegramConnectionRepository;
  sentCommands: SentCommandRepository;
  tokens: TelegramTokenVault;
  api: TelegramApiFactory;
  metrics: ChannelTelegramMetrics;
  /** Operators' files: the bytes are read from the files service and uploaded to Telegram. */
  files: InternalFilesClient;
  logger: Logger;
  /** How many times a 429 is waited out (retry_after) before the command fails as rate_limited. */
  rateLimitRetries?: number;
}

/** A send ended with a final answer from Telegram (no retry can change it). */
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
 * Sends operators' messages: consumes SendMessageRequestedV1 from messenger.outbound.telegram.v1 and
 * reports exactly one DeliveryResultV1 per command through the outbox. Idempotent per commandId: a
 * command already completed re-publishes its stored result and is not sent again. Errors Telegram
 * will not fix by retrying become a failed result; transient ones (5xx, network) throw so the
 * reliable consumer retries with backoff and finally dead-letters.
 */
export class TelegramOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: TelegramOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'telegram-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: OUTBOUND_CONSUMER_GROUP,
      topics: [outboundTopic('telegram')],
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
      log.warn({ code: outcome.code, reason: outcome.message }, 'telegram send failed');
    } else {
      log.info({ platformMessageId: outcome.platformMessageId }, 'telegram message sent');
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
    const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_TELEGRAM_SERVICE, key: chatKey, cause: command });
    await this.deps.dataSource.transaction(async (manager) => {
      // Lost the race to another worker: it enqueues its own (identical in meaning) result.
      if (options.store && !(await this.deps.sentCommands.insert(manager, commandId, outcome))) return;
      await enqueueOutbox(manager, CHANNEL_TELEGRAM_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
    });
    this.deps.relay.notify();
  }

  private async send(command: SendMessageRequested, context: BatchContext): Promise<SendOutcome> {
    const connection = await this.deps.connections.findById(command.connection.id);
    if (!connection || command.connection.channel !== 'telegram') {
      return failed('invalid_request', `Telegram connection ${command.connection.id} does not exist`);
    }
    if (connection.state === 'disconnected') return failed('unauthorized', `Telegram connection @${connection.botUsername} is disconnected`);
    const api = this.deps.api(this.deps.tokens.open(connection));
    const planned = planSends(command, this.deps.files);
    // Over Telegram's limits: refused before anything is sent (the chat service refuses these earlier still).
    if (!Array.isArray(planned)) return failed(planned.code, planned.message);
    const steps = planned;
    if (steps.length === 0) return failed('invalid_request', 'The command has neither text nor attachments');
    let firstMessageId: number | undefined;
    for (const [index, step] of steps.entries()) {
      try {
        const sent = await this.withRateLimitRetries(() => step.run(api, index === 0 ? command.replyToPlatformMessageId : undefined), context);
        this.deps.metrics.outboundSends.inc({ method: step.method });
        firstMessageId ??= sent.message_id;
      } catch (error) {
        if (!(error instanceof PermanentSendFailure)) throw error;
        const partial = index > 0 ? `partially sent (part ${index + 1} of ${steps.length} failed): ` : '';
        return failed(error.code, `${partial}${error.message}`);
      }
    }
    return { state: 'sent', platformMessageId: String(firstMessageId), at: new Date() };
  }

  /** Waits out 429s exactly as long as Telegram says, heartbeating so the broker keeps the member. */
  private async withRateLimitRetries(call: () => Promise<TelegramSentMessage>, context: BatchContext): Promise<TelegramSentMessage> {
    const limit = this.deps.rateLimitRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof TelegramApiError)) throw error;
        if (error.errorCode === 429 && attempt < limit) {
          const waitMs = (error.retryAfter ?? 1) * 1000;
          this.logger.warn({ retryAfterMs: waitMs, attempt: attempt + 1, of: limit }, 'telegram rate limit; waiting retry_after');
          await waitWithHeartbeat(waitMs, context);
          continue;
        }
        throw classify(error);
      }
    }
  }
}

/** Maps final Bot API answers to failure codes; anything transient is rethrown for the consumer to retry. */
function classify(error: TelegramApiError): Error {
  switch (error.errorCode) {
    case 429:
      return new PermanentSendFailure('rate_limited', `Telegram kept answering 429: ${error.description}`);
    case 403:
      return new PermanentSendFailure('blocked', error.description);
    case 400:
      return new PermanentSendFailure('invalid_request', error.description);
    case 401:
      return new PermanentSendFailure('unauthorized', error.description);
    case 413:
      return new PermanentSendFailure('too_large', error.description);
    default:
      // 5xx and unexpected codes: retrying may help, and the dead-letter topic keeps what never does.
      return error;
  }
}

interface SendStep {
  method: 'sendMessage' | 'sendPhoto' | 'sendDocument';
  run(api: TelegramBotApiClient, replyTo: string | undefined): Promise<TelegramSentMessage>;
}

/**
 * Text over 4096 characters goes as several messages; attachments as multipart uploads of the bytes read from
 * the files service (photos Telegram takes as such with sendPhoto, everything else with sendDocument). A short
 * text rides as the caption of the first attachment, as a person would send it; a long one goes first.
 */
function planSends(command: SendMessageRequested, files: InternalFilesClient): SendStep[] | { code: FailureCode; message: string } {
  const decisions = command.attachments.map((attachment) => outboundMediaDecision('telegram', attachment));
  for (const decision of decisions) {
    if (!decision.ok) return { code: decision.reason === 'MEDIA_TOO_LARGE' ? 'too_large' : 'invalid_request', message: decision.message };
  }
  const text = command.text?.trim() ? command.text : undefined;
  const captionFirst = text !== undefined && command.attachments.length > 0 && text.length <= TELEGRAM_CAPTION_LIMIT;
  const steps: SendStep[] = [];
  const chatId = command.externalChatId;
  if (text !== undefined && !captionFirst) {
    for (const part of splitMessageText(text)) {
      steps.push({ method: 'sendMessage', run: (api, replyTo) => api.sendMessage({ chatId, text: part, ...reply(replyTo) }) });
    }
  }
  command.attachments.forEach((attachment, index) => {
    const caption = captionFirst && index === 0 ? text : undefined;
    const withCaption = caption !== undefined ? { caption } : {};
    const upload = fileUpload(files, attachment);
    if (decisions[index]?.ok && decisions[index].sendAs === 'sendPhoto') {
      steps.push({ method: 'sendPhoto', run: async (api, replyTo) => api.sendPhoto({ chatId, photo: await upload(), ...withCaption, ...reply(replyTo) }) });
    } else {
      steps.push({ method: 'sendDocument', run: async (api, replyTo) => api.sendDocument({ chatId, document: await upload(), ...withCaption, ...reply(replyTo) }) });
    }
  });
  return steps;
}

/** Reads the bytes once (a 429 retry re-sends them without reading again); a file gone for good fails the send. */
function fileUpload(files: InternalFilesClient, attachment: SendMessageRequested['attachments'][number]): () => Promise<TelegramInputFile> {
  let read: Promise<TelegramInputFile> | undefined;
  return () =>
    (read ??= files.content(attachment.url, attachment.sizeBytes).then(
      ({ bytes }) => new TelegramInputFile(bytes, attachment.fileName, attachment.mimeType),
      (error: unknown) => {
        read = undefined;
        if (error instanceof InternalFileError && error.permanent) throw new PermanentSendFailure('invalid_request', `The file "${attachment.fileName}" cannot be sent: ${error.message}`);
        throw error;
      },
    ));
}

function reply(platformMessageId: string | undefined): { replyToMessageId?: number } {
  if (platformMessageId === undefined) return {};
  const id = Number(platformMessageId);
  // Telegram message ids are integers; anything else cannot be quoted, so send without the quote.
  return Number.isSafeInteger(id) ? { replyToMessageId: id } : {};
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
