import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { badUserInput, notFound, parseInput, requireAdmin, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ViberConnectionNotFoundError,
  ViberTokenRejectedError,
  ViberWebhookRejectedError,
  ViberWebhookUrlMissingError,
} from '../viber-connection.errors';
import { connectViberBotInputSchema, type ViberConnectionService, type ViberConnectionView } from '../viber-connection.service';

export const channelViberTypeDefs = readFileSync(join(__dirname, 'channel-viber.graphql'), 'utf8');

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

export function channelViberResolvers(connections: ViberConnectionService): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      viberConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
    },
    Mutation: {
      connectViberBot: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectViberBotInputSchema, args.input);
        try {
          return { connection: toGql(await connections.connectBot(input)) };
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
          return { connection: toGql(await connections.disconnectBot(id)) };
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
