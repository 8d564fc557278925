import { GraphApiError } from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { MetaApiFactory } from '../graph-api/meta-graph-api.client';
import { MetaConnectionNotFoundError, MetaCredentialsRejectedError } from './meta-connection.errors';
import type { MetaConnectionRecord, MetaConnectionRepository } from './meta-connection.repository';
import { verifyTokenHash, type MetaCredentialsVault } from './meta-credentials.vault';

const graphId = (field: string) => z.string().trim().regex(/^\d{5,20}$/, `${field} must be the numeric id Meta shows (5-20 digits)`);

/** Input of connectPage / connectMetaPage, validated at the edge of both entry points. */
export const connectPageInputSchema = z.object({
  pageId: graphId('pageId'),
  accessToken: z.string().trim().min(20, 'accessToken is too short to be a Page access token').max(2048),
  appSecret: z.string().trim().regex(/^[0-9a-f]{32}$/i, 'appSecret must be the 32 hex characters of the Meta app secret'),
  verifyToken: z
    .string()
    .trim()
    .min(16, 'verifyToken must be at least 16 characters (it guards the webhook handshake)')
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'verifyToken may contain only printable ASCII without spaces'),
  instagramAccountId: graphId('instagramAccountId').optional(),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export type ConnectPageInput = z.input<typeof connectPageInputSchema>;

/** What callers see of a connection: never the token, the app secret or the verify token. */
export interface MetaConnectionView {
  id: string;
  pageId: string;
  pageName: string;
  instagramAccountId: string | null;
  instagramUsername: string | null;
  displayName: string;
  state: MetaConnectionRecord['state'];
  subscribed: boolean;
  subscriptionLostAt: Date | null;
  lastWebhookAt: Date | null;
  lastError: string | null;
}

export interface MetaConnectionServiceDeps {
  repository: MetaConnectionRepository;
  vault: MetaCredentialsVault;
  api: MetaApiFactory;
  logger: Logger;
}

/** Connecting, checking and disconnecting Pages (with their linked Instagram account). */
export class MetaConnectionService {
  constructor(private readonly deps: MetaConnectionServiceDeps) {}

  /**
   * Checks the credentials against the Graph API (the token may read the Page; a given Instagram account is
   * the one linked to it), subscribes the app to the Page's webhooks, then stores them encrypted.
   */
  async connectPage(rawInput: ConnectPageInput): Promise<MetaConnectionView> {
    const input = connectPageInputSchema.parse(rawInput);
    const api = this.deps.api({ accessToken: input.accessToken, appSecret: input.appSecret });
    const page = await rejectAsInput(() => api.getPage(input.pageId), 'pageId');
    let instagramUsername: string | null = null;
    if (input.instagramAccountId) {
      if (page.instagram_business_account?.id !== input.instagramAccountId) {
        throw new MetaCredentialsRejectedError(`Instagram account ${input.instagramAccountId} is not the one linked to Page ${page.name}`, 'instagramAccountId');
      }
      instagramUsername = (await rejectAsInput(() => api.getInstagramAccount(input.instagramAccountId!), 'instagramAccountId')).username;
    }
    await rejectAsInput(() => api.subscribeApp(input.pageId), 'pageId');
    const existing = await this.deps.repository.findByPageId(input.pageId);
    const connection = await this.deps.repository.upsert({
      id: existing?.id ?? randomUUID(),
      pageId: input.pageId,
      pageName: page.name,
      instagramAccountId: input.instagramAccountId ?? null,
      instagramUsername,
      displayName: input.displayName ?? existing?.displayName ?? page.name,
      ...this.deps.vault.seal({ accessToken: input.accessToken, appSecret: input.appSecret }, input.pageId),
      verifyTokenSha256: verifyTokenHash(input.verifyToken),
    });
    this.deps.logger.info({ connectionId: connection.id, pageId: input.pageId, instagram: input.instagramAccountId ?? null }, 'meta page connected');
    return toView(connection);
  }

  async disconnectPage(id: string): Promise<MetaConnectionView> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new MetaConnectionNotFoundError(id);
    await this.deps.repository.setState(id, 'disconnected', null);
    this.deps.logger.info({ connectionId: id }, 'meta page disconnected');
    return toView({ ...connection, state: 'disconnected', lastError: null });
  }

  async listConnections(): Promise<MetaConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async findConnection(id: string): Promise<MetaConnectionView | undefined> {
    const connection = await this.deps.repository.findById(id);
    return connection ? toView(connection) : undefined;
  }

  /**
   * Asks Meta whether the app is still subscribed to the Page (it unsubscribes apps whose webhook failed
   * for about an hour) and whether the token still works: lost subscription is flagged, a rejected token
   * (190) disconnects. Network trouble is recorded as an error state and rethrown.
   */
  async checkHealth(id: string): Promise<MetaConnectionView> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new MetaConnectionNotFoundError(id);
    if (connection.state === 'disconnected') return toView(connection);
    try {
      const subscribed = await this.deps.api(this.deps.vault.open(connection)).isSubscribed(connection.pageId);
      await this.deps.repository.setSubscribed(id, subscribed);
      if (!subscribed) this.deps.logger.warn({ connectionId: id, pageId: connection.pageId }, 'meta app no longer subscribed to the page; webhooks stopped');
      await this.deps.repository.markHealthy(id);
    } catch (error) {
      if (error instanceof GraphApiError && error.code === 190) {
        await this.deps.repository.markTokenInvalid(id, `Page access token rejected by Meta: ${error.message}`);
      } else {
        await this.deps.repository.recordError(id, `Health check failed: ${(error as Error).message}`);
        throw error;
      }
    }
    return toView((await this.deps.repository.findById(id))!);
  }

  /** One health pass over every receiving Page; a failing Page does not stop the others. */
  async checkAll(): Promise<void> {
    for (const connection of await this.deps.repository.listReceiving()) {
      await this.checkHealth(connection.id).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, connectionId: connection.id }, 'meta page health check failed'),
      );
    }
  }
}

/** Meta's 4xx answers while connecting are the admin's input problem (BAD_USER_INPUT), not ours. */
async function rejectAsInput<T>(call: () => Promise<T>, field: 'pageId' | 'instagramAccountId'): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GraphApiError && error.httpStatus < 500) {
      if (error.code === 190) throw new MetaCredentialsRejectedError(`Meta rejected the Page access token: ${error.graphMessage}`, 'accessToken');
      throw new MetaCredentialsRejectedError(`Meta rejected ${field}: ${error.message}`, field);
    }
    throw error;
  }
}

export function toView(connection: MetaConnectionRecord): MetaConnectionView {
  return {
    id: connection.id,
    pageId: connection.pageId,
    pageName: connection.pageName,
    instagramAccountId: connection.instagramAccountId,
    instagramUsername: connection.instagramUsername,
    displayName: connection.displayName,
    state: connection.state,
    subscribed: connection.subscriptionLostAt === null,
    subscriptionLostAt: connection.subscriptionLostAt,
    lastWebhookAt: connection.lastWebhookAt,
    lastError: connection.lastError,
  };
}
