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
import {
  ViberConnectionNotFoundError,
  ViberTokenRejectedError,
  ViberWebhookRejectedError,
  ViberWebhookUrlMissingError,
} from '../viber-connection.errors';
import { CHANNEL_VIBER_SCHEMA } from '../channel-viber.config';
import { connectViberBotInputSchema, type ViberConnectionService, type ViberConnectionView } from '../viber-connection.service';

export const channelViberTypeDefs = readFileSync(join(__dirname, 'channel-viber.graphql'), 'utf8');

/** Connections in the shape loadChannelHealth reads (decision 0033). */
const VIBER_HEALTH_SQL = `SELECT id, display_name, state, last_event_at, last_error, CASE WHEN last_error IS NULL THEN NULL ELSE updated_at END AS last_error_at,
  'webhook' AS detail FROM "${CHANNEL_VIBER_SCHEMA}".connections ORDER BY created_at, id`;

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

/**
 * `db` holds the audit log. Connecting and disconnecting are calls to Viber (set_webhook) that no transaction
 * covers, so their audit entries are written right after the change succeeded (decision 0027).
 */
export function channelViberResolvers(connections: ViberConnectionService, db: AuditExecutor): GraphQLResolverMap<SubgraphContext> {
  const audit = (context: SubgraphContext, action: string, connection: ViberConnectionView) =>
    recordAuditEntry(db, CHANNEL_VIBER_SCHEMA, {
      actor: requireAdmin(context.principal),
      action,
      target: { type: 'viber-connection', id: connection.id },
      // Names only: the auth token never lands in the log.
      details: { account: connection.accountName, accountId: connection.accountId },
      ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    });
  const health = channelHealthResolvers('viber', () => loadChannelHealth(db, { channel: 'viber', schema: CHANNEL_VIBER_SCHEMA, connectionsSql: VIBER_HEALTH_SQL }));
  return {
    Query: {
      ...health.Query,
      viberConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
      viberAuditLog: auditLogResolver(db, CHANNEL_VIBER_SCHEMA),
    },
    Mutation: {
      connectViberBot: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectViberBotInputSchema, args.input);
        try {
          const connection = await connections.connectBot(input);
          await audit(context, 'connection.connect', connection);
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof ViberTokenRejectedError) throw badUserInput(error.message, 'token');
          if (error instanceof ViberWebhookRejectedError || error instanceof ViberWebhookUrlMissingError) throw badUserInput(error.message);
          throw error;
        }
      },
      disconnectViberBot: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        try {
          const connection = await connections.disconnectBot(id);
          await audit(context, 'connection.disconnect', connection);
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof ViberConnectionNotFoundError) throw notFound(error.message);
          throw error;
        }
      },
    },
    ViberConnection: {
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

function toGql(connection: ViberConnectionView) {
  return {
    id: connection.id,
    accountId: connection.accountId,
    accountName: connection.accountName,
    uri: connection.uri,
    displayName: connection.displayName,
    senderName: connection.senderName,
    welcomeMessage: connection.welcomeMessage,
    state: connection.state.toUpperCase() as 'ACTIVE' | 'ERROR' | 'DISCONNECTED',
    lastEventAt: connection.lastEventAt?.toISOString() ?? null,
    lastError: connection.lastError,
  };
}
