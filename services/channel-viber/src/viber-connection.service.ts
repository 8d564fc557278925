import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ViberApiError, type ViberAccountInfo, type ViberApiFactory } from './viber-api.client';
import {
  ViberConnectionNotFoundError,
  ViberTokenRejectedError,
  ViberWebhookRejectedError,
  ViberWebhookUrlMissingError,
} from './viber-connection.errors';
import type { ViberConnectionRecord, ViberConnectionRepository } from './viber-connection.repository';
import type { ViberTokenVault } from './viber-token.vault';

/** Viber's limit on sender.name. */
export const VIBER_SENDER_NAME_MAX = 28;

/** Input of connectBot / connectViberBot, validated at the edge of both entry points. */
export const connectViberBotInputSchema = z.object({
  // Viber tokens are hex groups joined by '-', e.g. 445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9.
  token: z
    .string()
    .trim()
    .min(1, 'token is required')
    .max(200)
    .regex(/^[A-Za-z0-9-]+$/, 'token may contain only letters, digits and "-"'),
  displayName: z.string().trim().min(1).max(200).optional(),
  senderName: z.string().trim().min(1).max(VIBER_SENDER_NAME_MAX, `senderName is at most ${VIBER_SENDER_NAME_MAX} characters (Viber's limit)`).optional(),
  welcomeMessage: z.string().trim().min(1).max(7000, 'welcomeMessage is at most 7000 characters (Viber\'s limit)').optional(),
});
export type ConnectViberBotInput = z.input<typeof connectViberBotInputSchema>;

/** What callers see of a connection: never the token. */
export interface ViberConnectionView {
  id: string;
  accountId: string;
  accountName: string;
  uri: string | null;
  displayName: string;
  senderName: string;
  welcomeMessage: string | null;
  state: ViberConnectionRecord['state'];
  lastEventAt: Date | null;
  lastError: string | null;
}

export interface ViberConnectionServiceDeps {
  repository: ViberConnectionRepository;
  tokens: ViberTokenVault;
  api: ViberApiFactory;
  /** Viber delivers only by webhook: without a public URL nothing can be connected. */
  publicWebhookBaseUrl: string | undefined;
  logger: Logger;
}

/** Connecting, listing and disconnecting Viber bots. */
export class ViberConnectionService {
  constructor(private readonly deps: ViberConnectionServiceDeps) {}

  /**
   * Validates the token with get_account_info, stores the connection (token encrypted), then registers the
   * webhook. The row exists before set_webhook because Viber calls the URL during that request.
   */
  async connectBot(rawInput: ConnectViberBotInput): Promise<ViberConnectionView> {
    const input = connectViberBotInputSchema.parse(rawInput);
    const baseUrl = this.deps.publicWebhookBaseUrl;
    if (!baseUrl) throw new ViberWebhookUrlMissingError();
    const account = await this.verifyToken(input.token);
    const existing = await this.deps.repository.findByAccountId(account.id);
    const connection = await this.deps.repository.upsert({
      id: existing?.id ?? randomUUID(),
      accountId: account.id,
      accountName: account.name,
      uri: account.uri ?? null,
      displayName: input.displayName ?? existing?.displayName ?? account.name,
      senderName: input.senderName ?? existing?.senderName ?? account.name.slice(0, VIBER_SENDER_NAME_MAX),
      welcomeMessage: input.welcomeMessage ?? existing?.welcomeMessage ?? null,
      tokenCiphertext: this.deps.tokens.seal(input.token, account.id),
    });
    try {
      await this.deps.api(input.token).setWebhook(`${baseUrl}/webhooks/viber/${connection.id}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.deps.repository.recordError(connection.id, `set_webhook failed: ${message}`);
      if (error instanceof ViberApiError) throw new ViberWebhookRejectedError(error.statusMessage);
      throw error;
    }
    this.deps.logger.info({ connectionId: connection.id, account: account.name }, 'viber bot connected');
    return toView(connection);
  }

  async disconnectBot(id: string): Promise<ViberConnectionView> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new ViberConnectionNotFoundError(id);
    await this.deps.repository.setState(id, 'disconnected', null);
    if (connection.state !== 'disconnected') {
      try {
        await this.deps.api(this.deps.tokens.open(connection)).removeWebhook();
      } catch (error) {
        // A revoked token cannot remove its webhook; our endpoint answers 404 for this connection from now on anyway.
        this.deps.logger.warn({ err: error, connectionId: id }, 'removing the viber webhook failed while disconnecting');
      }
    }
    this.deps.logger.info({ connectionId: id }, 'viber bot disconnected');
    return toView({ ...connection, state: 'disconnected', lastError: null });
  }

  async listConnections(): Promise<ViberConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async findConnection(id: string): Promise<ViberConnectionView | undefined> {
    const connection = await this.deps.repository.findById(id);
    return connection ? toView(connection) : undefined;
  }

  private async verifyToken(token: string): Promise<ViberAccountInfo> {
    try {
      return await this.deps.api(token).getAccountInfo();
    } catch (error) {
      if (error instanceof ViberApiError) throw new ViberTokenRejectedError(error.statusMessage);
      throw error;
    }
  }
}

function toView(connection: ViberConnectionRecord): ViberConnectionView {
  return {
    id: connection.id,
    accountId: connection.accountId,
    accountName: connection.accountName,
    uri: connection.uri,
    displayName: connection.displayName,
    senderName: connection.senderName,
    welcomeMessage: connection.welcomeMessage,
    state: connection.state,
    lastEventAt: connection.lastEventAt,
    lastError: connection.lastError,
  };
}
