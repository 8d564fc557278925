import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Histogram } from 'prom-client';
import { z } from 'zod';
import type { WebhookRateLimit } from '../rate-limit/webhook-rate-limit';
import { HUB_SIGNATURE_HEADER, verifyHubSignature } from '../webhooks/hub-signature';
import { LastSeenWriter } from '../webhooks/last-seen-writer';
import { webhookHeader, type WebhookEndpoint } from '../webhooks/webhook-endpoint';

/**
 * The webhook of a Meta app (WhatsApp Cloud API, Messenger, Instagram): one callback URL per app, shared by
 * all its numbers or Pages, each body signed with the app's secret (X-Hub-Signature-256). A body vouches only
 * for the connections of the app whose secret matches; without any, 401 and nothing is read. The connector's
 * `receive` parses and stores the body for those connections and returns the ones it concerned, whose
 * `last_webhook_at` is then recorded. The number or Page is only known from the body, so the rate limit
 * (counted before the body is read) is per client address on this URL; the verification GET shares it.
 */
export function metaAppWebhookEndpoint<R>(options: {
  channel: string;
  path: string;
  bodyLimitBytes: number;
  connections: { listReceiving(): Promise<R[]>; touchLastWebhook(ids: string[]): Promise<void> };
  appSecretOf: (record: R) => string;
  receive: (signers: R[], raw: Buffer) => Promise<Iterable<string>>;
  logger: Logger;
  duration?: Histogram<'status'>;
  rateLimit?: WebhookRateLimit;
}): WebhookEndpoint {
  const signers = new MetaAppSigners(options.connections, options.appSecretOf);
  const lastSeen = new LastSeenWriter({ write: (ids) => options.connections.touchLastWebhook(ids), column: 'last_webhook_at', logger: options.logger });
  return {
    channel: options.channel,
    path: options.path,
    bodyLimitBytes: options.bodyLimitBytes,
    ...(options.duration ? { duration: options.duration } : {}),
    ...(options.rateLimit ? { rateLimit: { ...options.rateLimit, scope: () => 'app' } } : {}),
    handle: async (request) => {
      const signedBy = await signers.signersOf(request.body, webhookHeader(request, HUB_SIGNATURE_HEADER));
      if (signedBy.length === 0) throw new UnauthorizedException('X-Hub-Signature-256 is missing or does not match any connected app');
      lastSeen.seen(await options.receive(signedBy, request.body));
      return { status: 200, body: { ok: true } };
    },
  };
}

/** A Meta webhook body, parsed only after its signature matched, from the same bytes: malformed input gets a precise 400. */
export function parseMetaWebhook<T>(raw: Buffer, schema: z.ZodType<T>, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new BadRequestException(`Body is not valid JSON: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw new BadRequestException(`Body is not ${what}: ${z.prettifyError(result.error)}`);
  return result.data;
}

/**
 * The receiving connections and their opened app secrets, remembered for `ttlMs`: busy apps send many webhooks
 * a second, and a connect or disconnect takes effect within that.
 */
class MetaAppSigners<R> {
  private cache?: { connections: { record: R; appSecret: string }[]; expiresAt: number };

  constructor(
    private readonly source: { listReceiving(): Promise<R[]> },
    private readonly appSecretOf: (record: R) => string,
    private readonly ttlMs = 2_000,
  ) {}

  async signersOf(raw: Buffer, signature: string | undefined): Promise<R[]> {
    return (await this.connections()).filter((c) => verifyHubSignature(raw, signature, c.appSecret)).map((c) => c.record);
  }

  private async connections(): Promise<{ record: R; appSecret: string }[]> {
    if (this.cache && this.cache.expiresAt > Date.now()) return this.cache.connections;
    const records = await this.source.listReceiving();
    const connections = records.map((record) => ({ record, appSecret: this.appSecretOf(record) }));
    this.cache = { connections, expiresAt: Date.now() + this.ttlMs };
    return connections;
  }
}
