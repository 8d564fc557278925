import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  channelHealthResolvers,
  loadChannelHealth,
  GraphApiError,
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
import { GraphQLError } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';
import { WhatsAppConnectionNotFoundError, WhatsAppCredentialsRejectedError } from '../connections/whatsapp-connection.errors';
import { connectNumberInputSchema, type WhatsAppConnectionService, type WhatsAppConnectionView } from '../connections/whatsapp-connection.service';
import type { WhatsAppTemplate } from '../graph-api/whatsapp-cloud-api.client';

export const channelWhatsAppTypeDefs = readFileSync(join(__dirname, 'channel-whatsapp.graphql'), 'utf8');

/** Connections in the shape loadChannelHealth reads (decision 0033). */
const WHATSAPP_HEALTH_SQL = `SELECT id, display_name, state, last_webhook_at AS last_event_at, last_error, CASE WHEN last_error IS NULL THEN NULL ELSE updated_at END AS last_error_at,
  'webhook' AS detail FROM "${CHANNEL_WHATSAPP_SCHEMA}".connections ORDER BY created_at, id`;

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });
const templatesArgsSchema = z.object({ connectionId: z.uuid('connectionId must be a connection id (UUID)'), approvedOnly: z.boolean().default(true) });

/**
 * `db` holds the audit log. Connecting and disconnecting call the Graph API (subscribing the app) outside any
 * transaction, so their audit entries are written right after the change succeeded (decision 0027).
 */
export function channelWhatsAppResolvers(connections: WhatsAppConnectionService, db: AuditExecutor): GraphQLResolverMap<SubgraphContext> {
  const audit = (context: SubgraphContext, action: string, connection: WhatsAppConnectionView) =>
    recordAuditEntry(db, CHANNEL_WHATSAPP_SCHEMA, {
      actor: requireAdmin(context.principal),
      action,
      target: { type: 'whatsapp-connection', id: connection.id },
      // Identifiers only: the access token and app secret never land in the log.
      details: { phoneNumber: connection.displayPhoneNumber, phoneNumberId: connection.phoneNumberId, wabaId: connection.wabaId },
      ...(context.correlationId ? { correlationId: context.correlationId } : {}),
    });
  const health = channelHealthResolvers('whatsapp', () => loadChannelHealth(db, { channel: 'whatsapp', schema: CHANNEL_WHATSAPP_SCHEMA, connectionsSql: WHATSAPP_HEALTH_SQL }));
  return {
    Query: {
      ...health.Query,
      whatsAppConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.listConnections()).map(toGql);
      },
      whatsAppAuditLog: auditLogResolver(db, CHANNEL_WHATSAPP_SCHEMA),
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
          const connection = await connections.connectNumber(input);
          await audit(context, 'connection.connect', connection);
          return { connection: toGql(connection) };
        } catch (error) {
          if (error instanceof WhatsAppCredentialsRejectedError) throw badUserInput(error.message, error.field);
          throw error;
        }
      },
      disconnectWhatsAppNumber: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        try {
          const connection = await connections.disconnectNumber(id);
          await audit(context, 'connection.disconnect', connection);
          return { connection: toGql(connection) };
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
    ChannelHealthReport: health.ChannelHealthReport,
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
