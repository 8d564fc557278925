import { BadRequestException, NotFoundException, ServiceUnavailableException, UnauthorizedException } from '@nestjs/common';
import { LastSeenWriter, verifyHmacSignature, webhookHeader, type HmacSignatureScheme, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ChannelViberMetrics } from './channel-viber.metrics';
import type { ViberCallbackHandler, ViberWelcomeReply } from './viber-callback.handler';
import type { ViberConnectionRecord, ViberConnectionRepository } from './viber-connection.repository';
import { parseViberJson } from './viber-json.util';
import type { ViberTokenVault } from './viber-token.vault';

export const VIBER_SIGNATURE_HEADER = 'x-viber-content-signature';
/** Viber signs with the bare hex HMAC-SHA256 of the body, keyed by the bot's auth token. */
export const VIBER_SIGNATURE_SCHEME: HmacSignatureScheme = { algorithm: 'sha256', encoding: 'hex' };
const CONNECTION_CACHE_TTL_MS = 2_000;
/** Viber callbacks are small JSON; anything larger is not one. */
const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

export interface ViberWebhookDeps {
  connections: ViberConnectionRepository;
  tokens: ViberTokenVault;
  handler: ViberCallbackHandler;
  metrics: ChannelViberMetrics;
  logger: Logger;
}

interface CachedConnection {
  connection: ViberConnectionRecord;
  token: string;
  expiresAt: number;
}

/**
 * POST /webhooks/viber/:connectionId. The signature is checked on the raw bytes before anything is parsed;
 * forged (401), unknown (404) and malformed (400) requests store nothing. 200 only once the callback is
 * committed with its outbox events; 503 when the database fails, so Viber retries (for about an hour).
 * Counted before the body is read, per bot and client address (`rateLimit`).
 */
export function viberWebhookEndpoint(deps: ViberWebhookDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  const receiver = new ViberWebhookReceiver(deps);
  return {
    channel: 'viber',
    path: '/webhooks/viber/:connectionId',
    bodyLimitBytes: WEBHOOK_BODY_LIMIT_BYTES,
    duration: deps.metrics.webhookDuration,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: (params) => params['connectionId'] ?? '' } } : {}),
    handle: async (request) => ({
      status: 200,
      body: await receiver.receive(request.params['connectionId'] ?? '', webhookHeader(request, VIBER_SIGNATURE_HEADER), request.body),
    }),
  };
}

class ViberWebhookReceiver {
  private readonly lastSeen: LastSeenWriter;
  private readonly cache = new Map<string, CachedConnection>();

  constructor(private readonly deps: ViberWebhookDeps) {
    this.lastSeen = new LastSeenWriter({ write: (ids) => Promise.all(ids.map((id) => deps.connections.touchLastEvent(id))), column: 'last_event_at', logger: deps.logger });
  }

  async receive(connectionId: string, signature: string | undefined, raw: Buffer): Promise<ViberWelcomeReply | Record<string, never>> {
    let { connection, token } = await this.findConnection(connectionId);
    if (!verifyHmacSignature({ rawBody: raw, secret: token, signature, scheme: VIBER_SIGNATURE_SCHEME })) {
      // The cached token may predate a reconnect with a new one (set_webhook's check arrives right after it).
      ({ connection, token } = await this.findConnection(connectionId, { fresh: true }));
      if (!verifyHmacSignature({ rawBody: raw, secret: token, signature, scheme: VIBER_SIGNATURE_SCHEME })) {
        throw new UnauthorizedException('X-Viber-Content-Signature is missing or does not match the body');
      }
    }
    const parsed = parseBody(raw);
    let result: { reply?: ViberWelcomeReply };
    try {
      result = await this.deps.handler.handle(connection, raw, parsed);
    } catch (error) {
      this.deps.logger.error({ err: error, connectionId }, 'could not store viber callback; answering 503');
      throw new ServiceUnavailableException('The callback could not be stored; retry later');
    }
    this.lastSeen.seen([connection.id]);
    return result.reply ?? {};
  }

  /**
   * Every callback needs its connection and the opened token (the HMAC key). Both are remembered briefly:
   * a disconnect or a new token takes effect within the TTL.
   */
  private async findConnection(connectionId: string, options: { fresh?: boolean } = {}): Promise<{ connection: ViberConnectionRecord; token: string }> {
    const cached = options.fresh ? undefined : this.cache.get(connectionId);
    if (cached && cached.expiresAt > Date.now()) return cached;
    if (!z.uuid().safeParse(connectionId).success) throw new NotFoundException(`No Viber connection ${connectionId}`);
    const connection = await this.deps.connections.findById(connectionId);
    if (!connection || connection.state === 'disconnected') throw new NotFoundException(`No Viber connection ${connectionId}`);
    const entry = { connection, token: this.deps.tokens.open(connection), expiresAt: Date.now() + CONNECTION_CACHE_TTL_MS };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(connectionId, entry);
    return entry;
  }

}

/** Lossless parse (message tokens exceed 2^53); the callback must be a JSON object. */
function parseBody(raw: Buffer): unknown {
  let json: unknown;
  try {
    json = parseViberJson(raw.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`Body is not valid JSON: ${(error as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new BadRequestException('Body must be a JSON object (a Viber callback)');
  return json;
}
