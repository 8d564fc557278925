import { enqueueOutbox, type OutboxRelay } from '@switchboard/messaging';
import { verifyTimestampedSignature, type InboundMediaLinks } from '@switchboard/service-kit';
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
import type { BridgeConnectionRecord, BridgeConnectionRepository } from '../connections/bridge-connection.repository';
import type { BridgeSecretVault } from '../connections/bridge-secret.vault';
import { normaliseBridgeMessage } from './bridge-message.normaliser';
import { bridgeMessageSchema, type BridgeMessage } from './bridge-message.schema';
import { BridgeRequestError, type BridgeFieldError } from './bridge-request.error';
import type { InboundRequestRepository, StoredAnswer } from './inbound-request.repository';

/** Printable ASCII without spaces, as most HTTP clients generate keys (UUIDs, ULIDs, hashes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export interface InboundRequest {
  connectionId: string;
  rawBody: Buffer;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  idempotencyKey: string | undefined;
}

export interface InboundAnswer {
  status: number;
  body: Record<string, unknown>;
  /** True when this is the stored answer to an earlier request with the same key and body. */
  replayed: boolean;
}

export interface BridgeInboundServiceDeps {
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: BridgeConnectionRepository;
  requests: InboundRequestRepository;
  /** Attachment URLs, remembered with the message so the media endpoint serves only these. */
  mediaLinks: InboundMediaLinks;
  secrets: BridgeSecretVault;
  toleranceSeconds: number;
  logger: Logger;
}

/**
 * One partner request, checked in the order that stores nothing for a refused request: connection,
 * signature (on the raw bytes, before any parsing), Idempotency-Key, earlier answer for that key, body.
 * An accepted message and its idempotency row are written in one transaction with the outbox row, so
 * the 202 is sent only when the message is durable and a repeat can never publish it twice.
 */
export class BridgeInboundService {
  constructor(private readonly deps: BridgeInboundServiceDeps) {}

  async receive(request: InboundRequest): Promise<InboundAnswer> {
    const connection = await this.findConnection(request.connectionId);
    const check = verifyTimestampedSignature({
      secret: this.deps.secrets.open(connection),
      body: request.rawBody,
      timestampHeader: request.timestampHeader,
      signatureHeader: request.signatureHeader,
      toleranceSeconds: this.deps.toleranceSeconds,
    });
    if (!check.ok) throw new BridgeRequestError(401, check.failure, check.message);
    const idempotencyKey = requireIdempotencyKey(request.idempotencyKey);
    const bodySha256 = createHash('sha256').update(request.rawBody).digest('hex');

    const earlier = await this.deps.requests.find(connection.id, idempotencyKey);
    if (earlier) return answerFor(earlier, bodySha256);

    const message = parseBody(request.rawBody);
    const receivedAt = new Date();
    const { topic, envelope } = normaliseBridgeMessage({ message, connection, receivedAt });
    const answer: StoredAnswer = {
      bodySha256,
      status: 202,
      body: { status: 'accepted', eventId: envelope.id, messageId: message.messageId, chatId: message.chatId ?? message.customer.id },
    };
    const claimed = await this.deps.dataSource.transaction(async (manager) => {
      if (!(await this.deps.requests.claim(manager, { connectionId: connection.id, idempotencyKey, answer }))) return false;
      await this.deps.mediaLinks.remember(
        message.message.attachments.map((attachment) => ({ connectionId: connection.id, url: attachment.url })),
        manager,
      );
      await enqueueOutbox(manager, CHANNEL_BRIDGE_SCHEMA, [{ topic, envelope }]);
      return true;
    });
    if (!claimed) {
      // A concurrent request with the same key committed first: answer as a repeat of it.
      const winner = await this.deps.requests.find(connection.id, idempotencyKey);
      if (!winner) throw new Error(`Idempotency-Key ${idempotencyKey} was taken but its answer is gone`);
      return answerFor(winner, bodySha256);
    }
    this.deps.relay.notify();
    this.deps.connections
      .touchLastInbound(connection.id)
      .catch((error: unknown) => this.deps.logger.warn({ err: error, connectionId: connection.id }, 'could not record last_inbound_at'));
    this.deps.logger.info(
      { connectionId: connection.id, eventId: envelope.id, chatKey: envelope.key, messageId: message.messageId },
      'bridge message accepted',
    );
    return { status: answer.status, body: answer.body, replayed: false };
  }

  private async findConnection(connectionId: string): Promise<BridgeConnectionRecord> {
    const unknown = new BridgeRequestError(404, 'unknown_connection', `No active bridge connection ${connectionId}`);
    if (!z.uuid().safeParse(connectionId).success) throw unknown;
    const connection = await this.deps.connections.findById(connectionId);
    if (!connection || connection.state !== 'active') throw unknown;
    return connection;
  }
}

function requireIdempotencyKey(value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new BridgeRequestError(400, 'missing_idempotency_key', 'The Idempotency-Key header is required (e.g. a UUID per message)');
  }
  if (!IDEMPOTENCY_KEY.test(value)) {
    throw new BridgeRequestError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 printable ASCII characters without spaces');
  }
  return value;
}

function answerFor(earlier: StoredAnswer, bodySha256: string): InboundAnswer {
  if (earlier.bodySha256 !== bodySha256) {
    throw new BridgeRequestError(409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different body');
  }
  return { status: earlier.status, body: earlier.body, replayed: true };
}

function parseBody(rawBody: Buffer): BridgeMessage {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new BridgeRequestError(400, 'invalid_json', `Body is not valid JSON: ${(error as Error).message}`);
  }
  const result = bridgeMessageSchema.safeParse(json);
  if (result.success) return result.data;
  const details: BridgeFieldError[] = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(body)',
    message: issue.message,
  }));
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  throw new BridgeRequestError(422, 'invalid_body', `Body does not fit the bridge message format: ${summary}`, details);
}
