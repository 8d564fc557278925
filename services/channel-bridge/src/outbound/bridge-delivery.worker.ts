import type { FailureCode, SendMessageRequested } from '@switchboard/contracts';
import { MEDIA_REFUSALS, SendMessageRequestedV1, decodeEnvelope, outboundMediaDecision, parseEvent } from '@switchboard/contracts';
import { backoffDelay, sleep, type BackoffPolicy, type OutboxRelay } from '@switchboard/messaging';
import { InternalFileError, type InternalFilesClient, type PublicFileLink } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { ChannelBridgeMetrics } from '../channel-bridge.metrics';
import type { BridgeConnectionRepository } from '../connections/bridge-connection.repository';
import type { BridgeSecretVault } from '../connections/bridge-secret.vault';
import { enqueueDeliveryResult } from './delivery-result.publisher';
import type { DeliveryRecord, DeliveryRepository, FinalOutcome } from './delivery.repository';
import { partnerDeliveryPayload } from './partner-delivery.payload';
import { postSigned, type PartnerResponse } from './partner-http.client';

export interface BridgeDeliveryWorkerDeps {
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: BridgeConnectionRepository;
  deliveries: DeliveryRepository;
  secrets: BridgeSecretVault;
  /** Operators' files reach the partner as download links the files service signs, asked for per attempt. */
  files: InternalFilesClient;
  metrics: ChannelBridgeMetrics;
  logger: Logger;
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  pollMs: number;
  /** Deliveries attempted at once (each to a different chat). */
  concurrency?: number;
}

/** What one attempt came to. */
type AttemptResult = { kind: 'final'; outcome: FinalOutcome } | { kind: 'retry'; lastStatus: number | null; error: string };

/** Partner statuses worth retrying: it may accept the same request later. Other 4xx are final. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/**
 * POSTs queued deliveries to partners: due rows are leased, sent, and their outcome stored. Transient
 * failures (network, timeout, 5xx, 408/425/429) are retried with exponential backoff and jitter, the
 * schedule kept in the table; after maxAttempts a delivery is dead-lettered and reported failed. Final
 * 4xx answers fail at once. Each outcome and its DeliveryResultV1 commit together.
 */
export class BridgeDeliveryWorker {
  private running = false;
  private loop?: Promise<void>;
  private wake?: AbortController;
  private readonly logger: Logger;
  private readonly backoff: BackoffPolicy;

  constructor(private readonly deps: BridgeDeliveryWorkerDeps) {
    this.logger = deps.logger.child({ component: 'bridge-delivery' });
    this.backoff = { attempts: deps.maxAttempts, baseDelayMs: deps.baseDelayMs, maxDelayMs: deps.maxDelayMs };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Work is waiting (a new delivery, a replay): look now instead of at the next poll. */
  notify(): void {
    this.wake?.abort();
  }

  /** Stops taking new work and waits for attempts in flight (each bounded by the timeout). */
  async stop(): Promise<void> {
    this.running = false;
    this.notify();
    await this.loop;
    this.loop = undefined;
  }

  private async run(): Promise<void> {
    const limit = this.deps.concurrency ?? 8;
    while (this.running) {
      this.wake = new AbortController();
      let claimed = 0;
      try {
        claimed = await this.tick(limit);
      } catch (error) {
        // The database may be briefly unavailable; rows stay in the table and are picked up on a later tick.
        this.logger.error({ err: error }, 'bridge delivery tick failed; retrying at the next poll');
      }
      if (claimed < limit) await sleep(this.deps.pollMs, this.wake.signal);
    }
  }

  /** One round: lease due deliveries and attempt them concurrently. Returns how many were leased. */
  async tick(limit: number): Promise<number> {
    // A lease outlives the longest attempt, so no other instance starts the same delivery meanwhile.
    const leaseMs = this.deps.timeoutMs * 2 + 5_000;
    const due = await this.deps.deliveries.claimDue({ limit, leaseMs });
    await Promise.all(due.map((delivery) => this.attemptAndRecord(delivery)));
    return due.length;
  }

  private async attemptAndRecord(delivery: DeliveryRecord): Promise<void> {
    const log = this.logger.child({ commandId: delivery.commandId, chatKey: delivery.chatKey, attempt: delivery.attempts });
    try {
      const result = await this.attempt(delivery);
      if (result.kind === 'final') {
        await this.finish(delivery, result.outcome, log);
        return;
      }
      this.deps.metrics.deliveryAttempts.inc({ outcome: 'retry' });
      if (delivery.attempts >= this.deps.maxAttempts) {
        const message = `The partner did not accept the message after ${delivery.attempts} attempts; last error: ${result.error}`;
        await this.finish(delivery, { state: 'dead', code: 'platform_error', message, lastStatus: result.lastStatus }, log);
        return;
      }
      const nextAttemptAt = new Date(Date.now() + backoffDelay(this.backoff, delivery.attempts));
      await this.deps.deliveries.scheduleRetry({ commandId: delivery.commandId, attempt: delivery.attempts, nextAttemptAt, lastStatus: result.lastStatus, lastError: result.error });
      log.warn({ error: result.error, nextAttemptAt }, 'bridge delivery failed; will retry');
    } catch (error) {
      // Storing the outcome failed: the lease runs out and the delivery is attempted again (the partner
      // dedupes by deliveryId), so nothing is lost; say so loudly.
      log.error({ err: error }, 'could not record a bridge delivery attempt; it will be retried when its lease ends');
    }
  }

  private async finish(delivery: DeliveryRecord, outcome: FinalOutcome, log: Logger): Promise<void> {
    const at = new Date();
    const stored = await this.deps.dataSource.transaction(async (manager) => {
      if (!(await this.deps.deliveries.finish(manager, { commandId: delivery.commandId, attempt: delivery.attempts, outcome, at }))) return false;
      await enqueueDeliveryResult(manager, { command: delivery.command, outcome, at });
      return true;
    });
    if (!stored) {
      log.warn('bridge delivery finished by another attempt first; this outcome is dropped');
      return;
    }
    this.deps.relay.notify();
    if (outcome.state === 'sent') {
      this.deps.metrics.deliveryAttempts.inc({ outcome: 'sent' });
      log.info({ platformMessageId: outcome.platformMessageId }, 'bridge message delivered');
    } else if (outcome.state === 'dead') {
      this.deps.metrics.deadLettered.inc();
      log.error({ reason: outcome.message }, 'bridge delivery dead-lettered');
    } else {
      this.deps.metrics.deliveryAttempts.inc({ outcome: 'failed' });
      log.warn({ code: outcome.code, reason: outcome.message }, 'bridge delivery failed');
    }
  }

  private async attempt(delivery: DeliveryRecord): Promise<AttemptResult> {
    const connection = await this.deps.connections.findById(delivery.connectionId);
    if (!connection || connection.state !== 'active') {
      return final('unauthorized', `Bridge connection ${connection?.name ?? delivery.connectionId} is disconnected`, null);
    }
    const command = parseEvent(SendMessageRequestedV1, decodeEnvelope(delivery.command));
    const links = await this.downloadLinks(command.data);
    if (!Array.isArray(links)) return links;
    let response: PartnerResponse;
    try {
      response = await postSigned({
        url: connection.outboundUrl,
        secret: this.deps.secrets.open(connection),
        body: JSON.stringify(partnerDeliveryPayload(command.data, links)),
        idempotencyKey: delivery.commandId,
        attempt: delivery.attempts,
        timeoutMs: this.deps.timeoutMs,
      });
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}${causeOf(error)}` : String(error);
      return { kind: 'retry', lastStatus: null, error: `could not reach ${connection.outboundUrl}: ${reason}` };
    }
    return classify(response, delivery.commandId);
  }

  /**
   * A signed download link per file, asked for at each attempt, so a retry minutes later never carries an
   * expired link. The media limits are checked again first (commands queued before a deploy, other producers).
   * A file the files service will never hand out fails the delivery; the files service being away is retried.
   */
  private async downloadLinks(command: SendMessageRequested): Promise<PublicFileLink[] | AttemptResult> {
    const links: PublicFileLink[] = [];
    for (const attachment of command.attachments) {
      const decision = outboundMediaDecision('bridge', attachment);
      if (!decision.ok) return final(decision.reason === MEDIA_REFUSALS.tooLarge ? 'too_large' : 'invalid_request', decision.message, null);
      try {
        links.push(await this.deps.files.publicLink(attachment.url));
      } catch (error) {
        if (error instanceof InternalFileError && error.permanent) {
          return final('invalid_request', `The file "${attachment.fileName}" cannot be sent: ${error.message}`, null);
        }
        const reason = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
        return { kind: 'retry', lastStatus: null, error: `the files service did not sign a link for "${attachment.fileName}": ${reason}` };
      }
    }
    return links;
  }
}

/** Maps the partner's answer to an outcome (docs/bridge.md, "Receiving replies"). */
function classify(response: PartnerResponse, commandId: string): AttemptResult {
  const { status } = response;
  if (status >= 200 && status < 300) {
    return { kind: 'final', outcome: { state: 'sent', platformMessageId: partnerMessageId(response.body) ?? commandId } };
  }
  const detail = `partner answered ${status}${response.body ? `: ${response.body.slice(0, 500)}` : ''}`;
  if (status >= 500 || RETRYABLE_STATUSES.has(status)) return { kind: 'retry', lastStatus: status, error: detail };
  if (status === 401 || status === 403) return final('unauthorized', detail, status);
  if (status === 413) return final('too_large', detail, status);
  // 3xx (not followed) and the remaining 4xx: the partner will answer the same way next time.
  return final('invalid_request', detail, status);
}

/** A 2xx body may carry `{"messageId": "..."}`: the partner's id of the delivered message. */
function partnerMessageId(body: string): string | undefined {
  if (!body.trim()) return undefined;
  try {
    const parsed = JSON.parse(body) as { messageId?: unknown };
    return typeof parsed.messageId === 'string' && parsed.messageId.trim() !== '' ? parsed.messageId : undefined;
  } catch {
    // A 2xx with a non-JSON body still means accepted; the delivery id stands in for the message id.
    return undefined;
  }
}

function final(code: FailureCode, message: string, lastStatus: number | null): AttemptResult {
  return { kind: 'final', outcome: { state: 'failed', code, message, lastStatus } };
}

/** fetch wraps the real network error (ECONNREFUSED, socket closed, ...) in `cause`. */
function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  // Duck-typed: undici's errors may come from another realm, where instanceof Error is false.
  const message = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message !== '' ? ` (${message})` : '';
}
