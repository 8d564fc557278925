import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { TelegramApiError, type TelegramApiFactory, type TelegramBotUser } from './telegram-bot-api.client';
import { TelegramConnectionNotFoundError, TelegramTokenRejectedError, TelegramWebhookRejectedError } from './telegram-connection.errors';
import type { TelegramConnectionMode, TelegramConnectionRecord, TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramPollerPool } from './telegram-poller';
import type { TelegramTokenVault } from './telegram-token.vault';
import { ALLOWED_UPDATES } from './telegram-update.schema';

/** Input of connectBot / connectTelegramBot, validated at the edge of both entry points. */
export const connectBotInputSchema = z.object({
  // The token becomes part of a URL path: letters, digits, ':', '_' and '-' are all Telegram uses.
  token: z
    .string()
    .trim()
    .min(1, 'token is required')
    .max(256)
    .regex(/^[A-Za-z0-9:_-]+$/, 'token may contain only letters, digits, ":", "_" and "-"'),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export type ConnectBotInput = z.input<typeof connectBotInputSchema>;

/** What callers see of a connection: never the token or the webhook secret. */
export interface TelegramConnectionView {
  id: string;
  botId: string;
  botUsername: string;
  displayName: string;
  mode: TelegramConnectionRecord['mode'];
  state: TelegramConnectionRecord['state'];
  lastUpdateAt: Date | null;
  lastError: string | null;
}

export interface TelegramConnectionServiceDeps {
  repository: TelegramConnectionRepository;
  tokens: TelegramTokenVault;
  api: TelegramApiFactory;
  pollers: TelegramPollerPool;
  /** Without it every connection long-polls. */
  publicWebhookBaseUrl: string | undefined;
  logger: Logger;
}

export interface WebhookReregistration {
  connectionId: string;
  ok: boolean;
  error: string | null;
}

/** Connecting, listing and disconnecting bots. */
export class TelegramConnectionService {
  constructor(private readonly deps: TelegramConnectionServiceDeps) {}

  /** Validates the token with getMe, stores the connection and starts receiving (webhook or poller). */
  async connectBot(rawInput: ConnectBotInput): Promise<TelegramConnectionView> {
    const input = connectBotInputSchema.parse(rawInput);
    return this.connectVerified(input, await this.verifyToken(input.token));
  }

  /**
   * Idempotent connect for seeding on every start: an existing live connection of the same bot is kept
   * as it is (no new webhook secret, no re-registration); otherwise the bot is connected.
   */
  async ensureConnected(rawInput: ConnectBotInput): Promise<{ connection: TelegramConnectionView; created: boolean }> {
    const input = connectBotInputSchema.parse(rawInput);
    const me = await this.verifyToken(input.token);
    const existing = await this.deps.repository.findByBotId(String(me.id));
    if (existing && existing.state !== 'disconnected' && existing.mode === this.desiredMode()) {
      if (existing.mode === 'polling') this.deps.pollers.ensure(existing.id);
      return { connection: toView(existing), created: false };
    }
    return { connection: await this.connectVerified(input, me), created: true };
  }

  private async verifyToken(token: string): Promise<TelegramBotUser> {
    try {
      return await this.deps.api(token).getMe();
    } catch (error) {
      if (error instanceof TelegramApiError && error.errorCode < 500) throw new TelegramTokenRejectedError(error.description);
      throw error;
    }
  }

  private desiredMode(): TelegramConnectionMode {
    return this.deps.publicWebhookBaseUrl ? 'webhook' : 'polling';
  }

  private async connectVerified(input: z.output<typeof connectBotInputSchema>, me: TelegramBotUser): Promise<TelegramConnectionView> {
    const api = this.deps.api(input.token);
    const botId = String(me.id);
    const existing = await this.deps.repository.findByBotId(botId);
    const mode = this.desiredMode();
    const connection = await this.deps.repository.upsert({
      id: existing?.id ?? randomUUID(),
      botId,
      botUsername: me.username,
      displayName: input.displayName ?? existing?.displayName ?? me.first_name,
      tokenCiphertext: this.deps.tokens.seal(input.token, botId),
      webhookSecret: newWebhookSecret(),
      mode,
    });
    const log = this.deps.logger.child({ connectionId: connection.id, bot: me.username });
    if (mode === 'webhook') {
      await this.registerWebhook(connection, input.token);
      // A poller of an earlier polling life of this bot stops when it sees the mode change.
      await this.deps.pollers.stopOne(connection.id);
    } else {
      // getUpdates fails while a webhook is set: remove it first (pending updates are kept).
      await api.deleteWebhook({ dropPendingUpdates: false });
      this.deps.pollers.ensure(connection.id);
    }
    log.info({ mode }, 'telegram bot connected');
    return toView(connection);
  }

  async disconnectBot(id: string): Promise<TelegramConnectionView> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new TelegramConnectionNotFoundError(id);
    await this.deps.repository.setState(id, 'disconnected', null);
    await this.deps.pollers.stopOne(id);
    if (connection.mode === 'webhook' && connection.state !== 'disconnected') {
      try {
        await this.deps.api(this.deps.tokens.open(connection)).deleteWebhook({ dropPendingUpdates: false });
      } catch (error) {
        // A revoked token cannot delete its webhook; our endpoint answers 404 for it from now on anyway.
        this.deps.logger.warn({ err: error, connectionId: id }, 'deleteWebhook failed while disconnecting');
      }
    }
    this.deps.logger.info({ connectionId: id }, 'telegram bot disconnected');
    return toView({ ...connection, state: 'disconnected', lastError: null });
  }

  /**
   * Calls setWebhook again for every live webhook connection, with its stored secret: after
   * PUBLIC_WEBHOOK_BASE_URL changed (new ingress host), a restored backup, or a webhook someone removed in
   * Telegram. One failing bot does not stop the others; each result says what happened.
   */
  async reregisterWebhooks(): Promise<WebhookReregistration[]> {
    const results: WebhookReregistration[] = [];
    for (const connection of await this.deps.repository.list()) {
      if (connection.state === 'disconnected' || connection.mode !== 'webhook') continue;
      if (this.desiredMode() !== 'webhook') {
        results.push({ connectionId: connection.id, ok: false, error: 'PUBLIC_WEBHOOK_BASE_URL is not set: reconnect the bot to switch it to polling' });
        continue;
      }
      try {
        await this.registerWebhook(connection, this.deps.tokens.open(connection));
        await this.deps.repository.markHealthy(connection.id);
        results.push({ connectionId: connection.id, ok: true, error: null });
      } catch (error) {
        this.deps.logger.warn({ err: error, connectionId: connection.id }, 'webhook re-registration failed');
        results.push({ connectionId: connection.id, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return results;
  }

  async listConnections(): Promise<TelegramConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async findConnection(id: string): Promise<TelegramConnectionView | undefined> {
    const connection = await this.deps.repository.findById(id);
    return connection ? toView(connection) : undefined;
  }

  private async registerWebhook(connection: TelegramConnectionRecord, token: string): Promise<void> {
    try {
      await this.deps.api(token).setWebhook({
        url: `${this.deps.publicWebhookBaseUrl}/webhooks/telegram/${connection.id}`,
        secretToken: connection.webhookSecret,
        allowedUpdates: ALLOWED_UPDATES,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.repository.recordError(connection.id, `setWebhook failed: ${message}`);
      if (error instanceof TelegramApiError && error.errorCode < 500) throw new TelegramWebhookRejectedError(error.description);
      throw error;
    }
  }
}

/** 48 random bytes in base64url: exactly 64 characters of [A-Za-z0-9_-], as secret_token allows. */
function newWebhookSecret(): string {
  return randomBytes(48).toString('base64url');
}

function toView(connection: TelegramConnectionRecord): TelegramConnectionView {
  return {
    id: connection.id,
    botId: connection.botId,
    botUsername: connection.botUsername,
    displayName: connection.displayName,
    mode: connection.mode,
    state: connection.state,
    lastUpdateAt: connection.lastUpdateAt,
    lastError: connection.lastError,
  };
}
