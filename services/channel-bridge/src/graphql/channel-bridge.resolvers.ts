import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { notFound, parseInput, requireAdmin, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BridgeConnectionNotFoundError } from '../connections/bridge-connection.errors';
import {
  connectBridgeInputSchema,
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

export function channelBridgeResolvers(deps: { connections: BridgeConnectionService; deadLetters: DeadLetterService }): GraphQLResolverMap<SubgraphContext> {
  const { connections, deadLetters } = deps;
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
      bridgeConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.list()).map(toGql);
      },
      bridgeDeadLetters: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        return (await deadLetters.list(parseInput(listDeadLettersSchema, args))).map(deadLetterToGql);
      },
    },
    Mutation: {
      connectBridge: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        return withSecretToGql(await connections.connect(parseInput(connectBridgeInputSchema, args.input)));
      },
      rotateBridgeSecret: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        return withSecretToGql(await notFoundAware(() => connections.rotateSecret(id)));
      },
      disconnectBridge: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        return { connection: toGql(await notFoundAware(() => connections.disconnect(id))) };
      },
      replayBridgeDeadLetters: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        return { replayedCommandIds: await deadLetters.replay(parseInput(replayDeadLettersSchema, args)) };
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
