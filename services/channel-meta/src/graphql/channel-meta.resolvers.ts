import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  channelHealthResolvers,
  loadChannelHealth,
  auditLogResolver,
  badUserInput,
  notFound,
  parseInput,
  recordAuditEntry,
  requireAdmin,
  requirePrincipal,
  type AuditExecutor,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';
import { MetaConnectionNotFoundError, MetaCredentialsRejectedError } from '../connections/meta-connection.errors';
import { connectPageInputSchema, type MetaConnectionService, type MetaConnectionView } from '../connections/meta-connection.service';

export const channelMetaTypeDefs = readFileSync(join(__dirname, 'channel-meta.graphql'), 'utf8');

/**
 * Connections in the shape loadChannelHealth reads (decision 0033). A Page whose app subscription Meta
 * dropped receives nothing although its token works, so the lost subscription counts as its error.
 */
const META_HEALTH_SQL = `SELECT id, display_name, state, last_webhook_at AS last_event_at,
  COALESCE(last_error, CASE WHEN subscription_lost_at IS NULL THEN NULL ELSE 'Meta no longer sends this Page''s webhooks to the app: reconnect it' END) AS last_error,
  CASE WHEN last_error IS NOT NULL THEN updated_at ELSE subscription_lost_at END AS last_error_at,
  CASE WHEN instagram_account_id IS NULL THEN 'webhook: Messenger, Page comments' ELSE 'webhook: Messenger, Page comments, Instagram Direct and comments' END AS detail
  FROM "${CHANNEL_META_SCHEMA}".connections ORDER BY created_at, id`;

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

/**
 * `db` holds the audit log. Connecting and disconnecting call the Graph API (subscribing the app to the
 * Page) outside any transaction, so their audit entries are written right after the change succeeded
 * (decision 0027). A health check changes nothing an admin decided, so it is not audited.
 */
export function channelMetaResolvers(connections: MetaConnectionService, db: AuditExecutor): GraphQLResolverMap<SubgraphContext> {
  const audit = (context: SubgraphContext, action: string, connection: MetaConnectionView) =>
    recordAuditEntry(db, CHANNEL_META_SCHEMA, {
      actor: requireAdmin(context.principal),
      action,
      target: { type: 'meta-connection', id: connection.id },
      // Identifiers only: the Page token and app secret never land in the log.
      details: { page: connection.pageName, pageId: connection.pageId, instagramAccountId: connection.instagramAccountId },
      ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    });
  const byId = async (
    args: unknown,
    context: SubgraphContext,
    action: (id: string) => Promise<MetaConnectionView>,
    auditAs?: string,
  ) => {
    requireAdmin(context.principal);
    const { id } = parseInput(idSchema, args);
    try {
      const connection = await action(id);
      if (auditAs) await audit(context, auditAs, connection);
      return { connection: toGql(connection) };
    } catch (error) {
      if (error instanceof MetaConnectionNotFoundError) throw notFound(error.message);
      throw error;
    }
  };
  const health = channelHealthResolvers('meta', () => loadChannelHealth(db, { channel: 'messenger', schema: CHANNEL_META_SCHEMA, connectionsSql: META_HEALTH_SQL }));
  return {
    Query: {
      ...health.Query,
      metaPageConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
      metaAuditLog: auditLogResolver(db, CHANNEL_META_SCHEMA),
    },
    Mutation: {
      connectMetaPage: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectPageInputSchema, args.input);
        try {
          const connection = await connections.connectPage(input);
          await audit(context, 'connection.connect', connection);
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof MetaCredentialsRejectedError) throw badUserInput(error.message, error.field);
          throw error;
        }
      },
      disconnectMetaPage: (_parent: unknown, args: unknown, context: SubgraphContext) => byId(args, context, (id) => connections.disconnectPage(id), 'connection.disconnect'),
      checkMetaPageHealth: (_parent: unknown, args: unknown, context: SubgraphContext) => byId(args, context, (id) => connections.checkHealth(id)),
    },
    MetaPageConnection: {
      __resolveReference: async (reference: { id: string }, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        if (!idSchema.safeParse(reference).success) return null;
        const connection = await connections.findConnection(reference.id);
        return connection ? toGql(connection) : null;
      },
    },
    ChannelHealthReport: health.ChannelHealthReport,
  };
}

function toGql(connection: MetaConnectionView) {
  return {
    ...connection,
    state: connection.state === 'active' ? 'ACTIVE' : connection.state === 'error' ? 'ERROR' : 'DISCONNECTED',
    subscriptionLostAt: connection.subscriptionLostAt?.toISOString() ?? null,
    lastWebhookAt: connection.lastWebhookAt?.toISOString() ?? null,
  };
}
