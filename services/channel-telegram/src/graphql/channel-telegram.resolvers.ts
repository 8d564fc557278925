import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { badUserInput, notFound, parseInput, requireAdmin, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TelegramConnectionNotFoundError, TelegramTokenRejectedError, TelegramWebhookRejectedError } from '../telegram-connection.errors';
import { connectBotInputSchema, type TelegramConnectionService, type TelegramConnectionView } from '../telegram-connection.service';

export const channelTelegramTypeDefs = readFileSync(join(__dirname, 'channel-telegram.graphql'), 'utf8');

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

export function channelTelegramResolvers(connections: TelegramConnectionService): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      telegramConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
    },
    Mutation: {
      connectTelegramBot: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectBotInputSchema, args.input);
        try {
          return { connection: toGql(await connections.connectBot(input)) };
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
          return { connection: toGql(await connections.disconnectBot(id)) };
        } catch (error) {
          if (error instanceof TelegramConnectionNotFoundError) throw notFound(error.message);
          throw error;
        }
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
