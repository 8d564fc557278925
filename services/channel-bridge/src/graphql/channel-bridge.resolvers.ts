import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  auditLogResolver,
  channelHealthResolvers,
  loadChannelHealth,
  notFound,
  parseInput,
  requireAdmin,
  requirePrincipal,
  type AuditExecutor,
  type HealthExecutor,
  type Principal,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
import { BridgeConnectionNotFoundError } from '../connections/bridge-connection.errors';
import {
  connectBridgeInputSchema,
  type BridgeAudit,
  type BridgeConnectionService,
  type BridgeConnectionView,
  type BridgeConnectionWithSecret,
} from '../connections/bridge-connection.service';
import { listDeadLettersSchema, replayDeadLettersSchema, type DeadLetterService, type DeadLetterView } from '../outbound/dead-letter.service';

export const channelBridgeTypeDefs = readFileSync(join(__dirname, 'channel-bridge.graphql'), 'utf8');

interface BridgeConnectionGql {
  id: string;
  name: string;
  outboundUrl: string;
  state: 'ACTIVE' | 'DISCONNECTED';
  inboundPath: string;
  secretRotatedAt: string;
  lastInboundAt: string | null;
  createdAt: string;
}

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

const S = `"${CHANNEL_BRIDGE_SCHEMA}"`;
/**
 * Connections in the shape loadChannelHealth reads (decision 0033). A bridge's errors are its partner's: the
 * newest error of a delivery still retrying or dead; the detail counts both.
 */
const BRIDGE_HEALTH_SQL = `SELECT c.id, c.name AS display_name, c.state, c.last_inbound_at AS last_event_at,
    e.last_error, e.last_error_at, format('%s deliveries retrying, %s dead letters', q.retrying, q.dead) AS detail
  FROM ${S}.connections c
  LEFT JOIN LATERAL (SELECT last_error, coalesce(finished_at, next_attempt_at) AS last_error_at FROM ${S}.deliveries
                     WHERE connection_id = c.id AND state IN ('pending', 'dead') AND last_error IS NOT NULL
                     ORDER BY seq DESC LIMIT 1) e ON true
  CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE state = 'pending' AND attempts > 0) AS retrying, count(*) FILTER (WHERE state = 'dead') AS dead
                      FROM ${S}.deliveries WHERE connection_id = c.id) q
  ORDER BY c.created_at, c.id`;

export function channelBridgeResolvers(deps: {
  connections: BridgeConnectionService;
  deadLetters: DeadLetterService;
  /** The service's database, for the health report and the audit log. */
  db: HealthExecutor & AuditExecutor;
}): GraphQLResolverMap<SubgraphContext> {
  const { connections, deadLetters } = deps;
  /** Who acted, for the audit entry each admin mutation writes in its transaction (decision 0027). */
  const auditBy = (admin: Principal, context: SubgraphContext): BridgeAudit => ({ actor: admin, ...(context.correlationId ? { correlationId: context.correlationId } : {}) });
  const health = channelHealthResolvers('bridge', () => loadChannelHealth(deps.db, { channel: 'bridge', schema: CHANNEL_BRIDGE_SCHEMA, connectionsSql: BRIDGE_HEALTH_SQL }));
  const notFoundAware = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof BridgeConnectionNotFoundError) throw notFound(error.message);
      throw error;
    }
  };
  return {
    Query: {
      ...health.Query,
      bridgeConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.list()).map(toGql);
      },
      bridgeDeadLetters: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        return (await deadLetters.list(parseInput(listDeadLettersSchema, args))).map(deadLetterToGql);
      },
      bridgeAuditLog: auditLogResolver(deps.db, CHANNEL_BRIDGE_SCHEMA),
    },
    Mutation: {
      connectBridge: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        const admin = requireAdmin(context.principal);
        return withSecretToGql(await connections.connect(parseInput(connectBridgeInputSchema, args.input), auditBy(admin, context)));
      },
      rotateBridgeSecret: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        const admin = requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        return withSecretToGql(await notFoundAware(() => connections.rotateSecret(id, auditBy(admin, context))));
      },
      disconnectBridge: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        const admin = requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        return { connection: toGql(await notFoundAware(() => connections.disconnect(id, auditBy(admin, context)))) };
      },
      replayBridgeDeadLetters: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        const admin = requireAdmin(context.principal);
        return { replayedCommandIds: await deadLetters.replay(parseInput(replayDeadLettersSchema, args), auditBy(admin, context)) };
      },
    },
    BridgeDeadLetter: {
      connection: async (parent: { connectionId: string }) => {
        const connection = await connections.find(parent.connectionId);
        if (!connection) throw new Error(`Dead letter refers to bridge connection ${parent.connectionId}, which does not exist`);
        return toGql(connection);
      },
    },
    BridgeConnection: {
      __resolveReference: async (reference: { id: string }, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        if (!idSchema.safeParse(reference).success) return null;
        const connection = await connections.find(reference.id);
        return connection ? toGql(connection) : null;
      },
    },
    ChannelHealthReport: health.ChannelHealthReport,
  };
}

function withSecretToGql(result: BridgeConnectionWithSecret): { connection: BridgeConnectionGql; secret: string } {
  return { connection: toGql(result.connection), secret: result.secret };
}

function toGql(connection: BridgeConnectionView): BridgeConnectionGql {
  return {
    id: connection.id,
    name: connection.name,
    outboundUrl: connection.outboundUrl,
    state: connection.state === 'active' ? 'ACTIVE' : 'DISCONNECTED',
    inboundPath: connection.inboundPath,
    secretRotatedAt: connection.secretRotatedAt.toISOString(),
    lastInboundAt: connection.lastInboundAt?.toISOString() ?? null,
    createdAt: connection.createdAt.toISOString(),
  };
}

function deadLetterToGql(deadLetter: DeadLetterView) {
  return {
    commandId: deadLetter.commandId,
    connectionId: deadLetter.connectionId,
    chatKey: deadLetter.chatKey,
    chatId: deadLetter.chatId,
    text: deadLetter.text,
    attempts: deadLetter.attempts,
    lastStatus: deadLetter.lastStatus,
    lastError: deadLetter.lastError,
    queuedAt: deadLetter.queuedAt.toISOString(),
    deadAt: deadLetter.deadAt.toISOString(),
  };
}
