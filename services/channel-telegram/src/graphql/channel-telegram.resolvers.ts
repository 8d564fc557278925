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
import { TelegramConnectionNotFoundError, TelegramTokenRejectedError, TelegramWebhookRejectedError } from '../telegram-connection.errors';
import { CHANNEL_TELEGRAM_SCHEMA } from '../channel-telegram.config';
import { connectBotInputSchema, type TelegramConnectionService, type TelegramConnectionView } from '../telegram-connection.service';

export const channelTelegramTypeDefs = readFileSync(join(__dirname, 'channel-telegram.graphql'), 'utf8');

/** Connections in the shape loadChannelHealth reads (decision 0033). */
const TELEGRAM_HEALTH_SQL = `SELECT id, display_name, state, last_update_at AS last_event_at, last_error, CASE WHEN last_error IS NULL THEN NULL ELSE updated_at END AS last_error_at,
  mode AS detail FROM "${CHANNEL_TELEGRAM_SCHEMA}".connections ORDER BY created_at, id`;

interface TelegramConnectionGql {
  id: string;
  botUsername: string;
  displayName: string;
  mode: 'WEBHOOK' | 'POLLING';
  state: 'ACTIVE' | 'ERROR' | 'DISCONNECTED';
  lastUpdateAt: string | null;
  lastError: string | null;
}

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

/**
 * `db` holds the audit log. Connection changes are mostly calls to Telegram that no transaction covers, so
 * their audit entries are written right after the change succeeded (decision 0027).
 */
export function channelTelegramResolvers(connections: TelegramConnectionService, db: AuditExecutor): GraphQLResolverMap<SubgraphContext> {
  const audit = (context: SubgraphContext, action: string, connectionId: string, details: Record<string, unknown>) =>
    recordAuditEntry(db, CHANNEL_TELEGRAM_SCHEMA, {
      actor: requireAdmin(context.principal),
      action,
      target: { type: 'telegram-connection', id: connectionId },
      details,
      ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    });
  const health = channelHealthResolvers('telegram', () => loadChannelHealth(db, { channel: 'telegram', schema: CHANNEL_TELEGRAM_SCHEMA, connectionsSql: TELEGRAM_HEALTH_SQL }));
  return {
    Query: {
      ...health.Query,
      telegramConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
      telegramAuditLog: auditLogResolver(db, CHANNEL_TELEGRAM_SCHEMA),
    },
    Mutation: {
      connectTelegramBot: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectBotInputSchema, args.input);
        try {
          const connection = await connections.connectBot(input);
          await audit(context, 'connection.connect', connection.id, { bot: connection.botUsername, mode: connection.mode });
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof TelegramTokenRejectedError) throw badUserInput(error.message, 'token');
          if (error instanceof TelegramWebhookRejectedError) throw badUserInput(error.message);
          throw error;
        }
      },
      disconnectTelegramBot: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        try {
          const connection = await connections.disconnectBot(id);
          await audit(context, 'connection.disconnect', connection.id, { bot: connection.botUsername });
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof TelegramConnectionNotFoundError) throw notFound(error.message);
          throw error;
        }
      },
      reregisterTelegramWebhooks: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const results = await connections.reregisterWebhooks();
        for (const result of results) {
          await audit(context, 'connection.reregister-webhook', result.connectionId, { ok: result.ok, ...(result.error ? { error: result.error } : {}) });
        }
        return results;
      },
    },
    TelegramConnection: {
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

function toGql(connection: TelegramConnectionView): TelegramConnectionGql {
  return {
    id: connection.id,
    botUsername: connection.botUsername,
    displayName: connection.displayName,
    mode: connection.mode === 'webhook' ? 'WEBHOOK' : 'POLLING',
    state: connection.state === 'active' ? 'ACTIVE' : connection.state === 'error' ? 'ERROR' : 'DISCONNECTED',
    lastUpdateAt: connection.lastUpdateAt?.toISOString() ?? null,
    lastError: connection.lastError,
  };
}
