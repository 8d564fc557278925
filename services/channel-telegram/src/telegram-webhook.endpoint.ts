import { BadRequestException, NotFoundException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { LastSeenWriter, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelTelegramMetrics } from './channel-telegram.metrics';
import type { TelegramConnectionRecord, TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramInboundPublisher } from './telegram-inbound.publisher';
import { tgUpdateSchema, type TgUpdate } from './telegram-update.schema';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
const CONNECTION_CACHE_TTL_MS = 2_000;
/** Webhook bodies are small JSON; anything larger is not a Telegram update. */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface TelegramWebhookDeps {
  connections: TelegramConnectionRepository;
  publisher: TelegramInboundPublisher;
  metrics: ChannelTelegramMetrics;
  logger: Logger;
}

/**
 * POST /webhooks/telegram/:connectionId. Answers 200 only once the update is durable on the bus;
 * forged (401), unknown (404) and malformed (400) requests store nothing; a bus outage answers 503 so
 * Telegram retries (it keeps updates up to 24 h). Counted before the body is read, per bot and client
 * address (`rateLimit`), so a flood is refused without buffering it.
 */
export function telegramWebhookEndpoint(deps: TelegramWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  const receiver = new TelegramWebhookReceiver(deps);
  return {
    channel: 'telegram',
    path: '/webhooks/telegram/:connectionId',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: (params) => params['connectionId'] ?? '' } } : {}),
    handle: async (request) => {
      await receiver.receive(request.params['connectionId'] ?? '', webhookHeader(request, SECRET_HEADER), request.body);
      return { status: 200, body: { ok: true } };
    },
  };
}

class TelegramWebhookReceiver {
  private readonly lastSeen: LastSeenWriter;
  private readonly connectionCache = new Map<string, { connection: TelegramConnectionRecord; expiresAt: number }>();

  constructor(private readonly deps: TelegramWebhookDeps) {
    this.lastSeen = new LastSeenWriter({ write: (ids) => Promise.all(ids.map((id) => deps.connections.touchLastUpdate(id))), column: 'last_update_at', logger: deps.logger });
  }

  async receive(connectionId: string, secret: string | undefined, body: Buffer): Promise<void> {
    const connection = await this.findConnection(connectionId);
    if (!secretMatches(secret, connection.webhookSecret)) {
      throw new UnauthorizedException('X-Telegram-Bot-Api-Secret-Token is missing or wrong');
    }
    const update = parseUpdate(body);
    try {
      await this.deps.publisher.publish(connection, [update]);
    } catch (error) {
      this.deps.logger.error({ err: error, connectionId, updateId: update.update_id }, 'could not publish telegram update; answering 503');
      throw new ServiceUnavailableException('The event bus is unavailable; retry later');
    }
    this.lastSeen.seen([connection.id]);
  }

  /**
   * Every webhook needs its connection (secret, bot). A busy bot sends hundreds per second, so a found
   * connection is remembered briefly: a disconnect (or a rotated secret) takes effect within the TTL,
   * and Telegram stops calling anyway once the webhook is deleted.
   */
  private async findConnection(connectionId: string): Promise<TelegramConnectionRecord> {
    const cached = this.connectionCache.get(connectionId);
    if (cached && cached.expiresAt > Date.now()) return cached.connection;
    if (!z.uuid().safeParse(connectionId).success) throw new NotFoundException(`No Telegram connection ${connectionId}`);
    let connection: TelegramConnectionRecord | undefined;
    try {
      connection = await this.deps.connections.findById(connectionId);
    } catch (error) {
      // The database is away (the chaos suite's PostgreSQL cut): an outage, like the bus's, so 503 and Telegram
      // retries; not a 500 that reads as a bug in this service.
      this.deps.logger.error({ err: error, connectionId }, 'could not read the telegram connection; answering 503');
      throw new ServiceUnavailableException('The database is unavailable; retry later');
    }
    if (!connection || connection.state === 'disconnected') throw new NotFoundException(`No Telegram connection ${connectionId}`);
    if (this.connectionCache.size > 10_000) this.connectionCache.clear();
    this.connectionCache.set(connectionId, { connection, expiresAt: Date.now() + CONNECTION_CACHE_TTL_MS });
    return connection;
  }

}

/** Constant-time comparison; a length mismatch is rejected up front (our secrets all have one length). */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The raw body is parsed here (not by a global JSON parser) so malformed input gets a precise 400. */
function parseUpdate(body: Buffer): TgUpdate {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`Body is not valid JSON: ${(error as Error).message}`);
  }
  const result = tgUpdateSchema.safeParse(json);
  if (!result.success || Array.isArray(json)) {
    throw new BadRequestException('Body must be a Telegram Update: an object with an integer update_id');
  }
  return result.data;
}
