import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { badUserInput, notFound, parseInput, requireAdmin, requirePrincipal, type SubgraphContext } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { WhatsAppConnectionNotFoundError, WhatsAppCredentialsRejectedError } from '../connections/whatsapp-connection.errors';
import { connectNumberInputSchema, type WhatsAppConnectionService, type WhatsAppConnectionView } from '../connections/whatsapp-connection.service';
import { GraphApiError } from '../graph-api/graph-api.errors';
import type { WhatsAppTemplate } from '../graph-api/whatsapp-cloud-api.client';

export const channelWhatsAppTypeDefs = readFileSync(join(__dirname, 'channel-whatsapp.graphql'), 'utf8');

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });
const templatesArgsSchema = z.object({ connectionId: z.uuid('connectionId must be a connection id (UUID)'), approvedOnly: z.boolean().default(true) });

export function channelWhatsAppResolvers(connections: WhatsAppConnectionService): GraphQLResolverMap<SubgraphContext> {
  return {
    Query: {
      whatsAppConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
      whatsAppTemplates: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        const { connectionId, approvedOnly } = parseInput(templatesArgsSchema, args);
        try {
          const templates = await connections.listTemplates(connectionId);
          return templates.filter((t) => !approvedOnly || t.status === 'APPROVED').map(templateToGql);
        } catch (error) {
          if (error instanceof WhatsAppConnectionNotFoundError) throw notFound(error.message);
          if (error instanceof GraphApiError && error.httpStatus < 500) {
            throw new GraphQLError(`Meta refused to list the templates: ${error.message}`, { extensions: { code: 'PLATFORM_ERROR', graphCode: error.code } });
          }
          throw error;
        }
      },
    },
    Mutation: {
      connectWhatsAppNumber: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(connectNumberInputSchema, args.input);
        try {
          return { connection: toGql(await connections.connectNumber(input)) };
        } catch (error) {
          if (error instanceof WhatsAppCredentialsRejectedError) throw badUserInput(error.message, error.field);
          throw error;
        }
      },
      disconnectWhatsAppNumber: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        try {
          return { connection: toGql(await connections.disconnectNumber(id)) };
        } catch (error) {
          if (error instanceof WhatsAppConnectionNotFoundError) throw notFound(error.message);
          throw error;
        }
      },
    },
    WhatsAppConnection: {
      __resolveReference: async (reference: { id: string }, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        if (!idSchema.safeParse(reference).success) return null;
        const connection = await connections.findConnection(reference.id);
        return connection ? toGql(connection) : null;
      },
    },
  };
}

function toGql(connection: WhatsAppConnectionView) {
  return {
    ...connection,
    state: connection.state === 'active' ? 'ACTIVE' : connection.state === 'error' ? 'ERROR' : 'DISCONNECTED',
    lastWebhookAt: connection.lastWebhookAt?.toISOString() ?? null,
  };
}

function templateToGql(template: WhatsAppTemplate) {
  const body = template.components.find((c) => c.type.toUpperCase() === 'BODY')?.text ?? null;
  const placeholders = new Set([...(body ?? '').matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1]));
  return {
    id: template.id,
    name: template.name,
    language: template.language,
    status: template.status,
    category: template.category,
    body,
    bodyParameterCount: placeholders.size,
  };
}
