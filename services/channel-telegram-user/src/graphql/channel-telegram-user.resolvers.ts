import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  ERROR_CODES,
  badUserInput,
  channelHealthResolvers,
  notFound,
  parseInput,
  requireAdmin,
  requirePrincipal,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { toView, type TelegramUserConnectionService, type TelegramUserConnectionView } from '../connections/connection.service';
import { TelegramUserApiNotConfiguredError, TelegramUserConnectionNotFoundError, TelegramUserLoginError, TelegramUserLoginNotFoundError } from '../login/login.errors';
import { startLoginInputSchema, submitCodeInputSchema, submitPasswordInputSchema, type LoginView, type TelegramUserLoginService } from '../login/login.service';

export const channelTelegramUserTypeDefs = readFileSync(join(__dirname, 'channel-telegram-user.graphql'), 'utf8');

const idSchema = z.object({ id: z.uuid('id must be a connection id (UUID)') });

export function channelTelegramUserResolvers(deps: {
  connections: TelegramUserConnectionService;
  logins: TelegramUserLoginService;
}): GraphQLResolverMap<SubgraphContext> {
  const { connections, logins } = deps;
  const health = channelHealthResolvers('telegramUser', () => connections.health());
  return {
    Query: {
      ...health.Query,
      telegramUserConnections: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requirePrincipal(context.principal);
        return (await connections.list()).map(toGql);
      },
    },
    Mutation: {
      startTelegramUserLogin: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(startLoginInputSchema, args.input);
        return loginStep(() => logins.start(input));
      },
      submitTelegramUserLoginCode: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(submitCodeInputSchema, args.input);
        return loginStep(() => logins.submitCode(input));
      },
      submitTelegramUserLoginPassword: async (_parent: unknown, args: { input: unknown }, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const input = parseInput(submitPasswordInputSchema, args.input);
        return loginStep(() => logins.submitPassword(input));
      },
      disconnectTelegramUserAccount: async (_parent: unknown, args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        const { id } = parseInput(idSchema, args);
        try {
          return toGql(await connections.disconnect(id));
        } catch (error) {
          if (error instanceof TelegramUserConnectionNotFoundError) throw notFound(error.message);
          throw error;
        }
      },
    },
    TelegramUserConnection: {
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

/** Telegram's refusals become typed errors: extensions.reason is Telegram's name for them. */
async function loginStep(step: () => Promise<LoginView>) {
  try {
    return loginToGql(await step());
  } catch (error) {
    if (error instanceof TelegramUserLoginError) {
      const flood = error.retryAfterSeconds !== undefined;
      throw new GraphQLError(error.message, {
        extensions: {
          code: flood ? ERROR_CODES.rateLimited : ERROR_CODES.badUserInput,
          reason: error.reason,
          ...(flood ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
        },
      });
    }
    if (error instanceof TelegramUserLoginNotFoundError) throw new GraphQLError(error.message, { extensions: { code: ERROR_CODES.notFound, reason: 'LOGIN_NOT_FOUND' } });
    if (error instanceof TelegramUserApiNotConfiguredError) throw badUserInput(error.message);
    throw error;
  }
}

function loginToGql(login: LoginView) {
  const base = { id: login.id, phone: login.phone, step: login.step.toUpperCase(), codeDelivery: null, passwordHint: null, expiresAt: null, connection: null };
  if (login.step === 'code') return { ...base, codeDelivery: login.codeDelivery, expiresAt: login.expiresAt.toISOString() };
  if (login.step === 'password') return { ...base, passwordHint: login.passwordHint, expiresAt: login.expiresAt.toISOString() };
  return { ...base, connection: toGql(toView(login.connection)) };
}

function toGql(connection: TelegramUserConnectionView) {
  return {
    id: connection.id,
    accountUserId: connection.accountUserId,
    phone: connection.phone,
    username: connection.username,
    displayName: connection.displayName,
    state: connection.state.toUpperCase() as 'ACTIVE' | 'ERROR' | 'DISCONNECTED',
    lastEventAt: connection.lastEventAt?.toISOString() ?? null,
    lastError: connection.lastError,
  };
}
