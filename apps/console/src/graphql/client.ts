import { cacheExchange, type Cache } from '@urql/exchange-graphcache';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import { session } from '../auth/session';
import { POSSIBLE_TYPES } from './possible-types';

/** Same origin as the page: the gateway serves both the console and /graphql (HTTP and graphql-ws). */
function graphqlUrl(protocol: 'http' | 'ws'): string {
  const url = new URL('/graphql', window.location.href);
  if (protocol === 'ws') url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function isUnauthenticated(error: { graphQLErrors: { extensions?: Record<string, unknown> }[] }): boolean {
  return error.graphQLErrors.some((e) => e.extensions?.['code'] === 'UNAUTHENTICATED');
}

/**
 * Normalised cache. Objects without an id of their own (connections, payloads, value objects) live inside
 * their parent; statuses are identified by their code, so renaming one updates every chat showing it.
 */
function normalisedCache() {
  const embedded = () => null;
  return cacheExchange({
    possibleTypes: POSSIBLE_TYPES,
    keys: {
      ChatStatus: (status) => (status['code'] as string | undefined) ?? null,
      ChatSource: embedded,
      ChatConnection: embedded,
      ChatEdge: embedded,
      ChatListCounts: embedded,
      PageInfo: embedded,
      TimelineConnection: embedded,
      TimelineEdge: embedded,
      ReplyWindow: embedded,
      ReplyAlternative: embedded,
      DeliveryFailure: embedded,
      Attachment: embedded,
      LoginPayload: embedded,
      ChatPayload: embedded,
      AddNotePayload: embedded,
      SendMessagePayload: embedded,
      MarkChatReadPayload: embedded,
      DeleteChatPayload: embedded,
      RenderedCannedAnswer: embedded,
      TimelineSearchConnection: embedded,
      TimelineSearchEdge: embedded,
      TimelineSearchHit: embedded,
      HighlightedText: embedded,
      TextRange: embedded,
      ChatLiveEvent: embedded,
      ReminderLiveEvent: embedded,
      ChatTypingEvent: embedded,
      TypingActor: embedded,
      FileConnection: embedded,
      FileEdge: embedded,
      FileUpload: embedded,
      // A chat's link, not the record: two chats linked to one lead have two links.
      ChatCrmLink: embedded,
      CrmSocialProfile: embedded,
      CrmSearchHit: embedded,
      // Admin pages (admin/*).
      ChannelConnectionHealth: embedded,
      ConnectTelegramBotPayload: embedded,
      DisconnectTelegramBotPayload: embedded,
      ConnectViberBotPayload: embedded,
      DisconnectViberBotPayload: embedded,
      ConnectWhatsAppNumberPayload: embedded,
      DisconnectWhatsAppNumberPayload: embedded,
      ConnectMetaPagePayload: embedded,
      DisconnectMetaPagePayload: embedded,
      BridgeConnectionSecretPayload: embedded,
      DisconnectBridgePayload: embedded,
      CannedAnswerVariable: embedded,
      // One member list per connection: setConnectionMembers' answer replaces what connectionMembers showed.
      ConnectionMembers: (members) => (members['connectionId'] as string | undefined) ?? null,
      BridgeDeadLetter: (deadLetter) => (deadLetter['commandId'] as string | undefined) ?? null,
      ReplayBridgeDeadLettersPayload: embedded,
      // Each service numbers its own audit entries: ids repeat across services, so they are no cache key.
      AuditEntry: embedded,
    },
    updates: {
      Mutation: {
        // A deleted chat disappears from every list and view that holds it.
        deleteChat: (_result, args, cache) => {
          cache.invalidate({ __typename: 'Chat', id: args['chatId'] as string });
        },
        // Lists an admin change adds to, removes from or reorders are asked for again; an entity changed
        // in place (a rename, a disconnect) updates by its key without this.
        createChatStatus: (_result, _args, cache) => invalidateQueryField(cache, 'chatStatuses'),
        reorderChatStatuses: (_result, _args, cache) => invalidateQueryField(cache, 'chatStatuses'),
        createCannedAnswer: (_result, _args, cache) => invalidateQueryField(cache, 'cannedAnswers'),
        updateCannedAnswer: (_result, _args, cache) => invalidateQueryField(cache, 'cannedAnswers'),
        deleteCannedAnswer: (_result, _args, cache) => invalidateQueryField(cache, 'cannedAnswers'),
        createEmployee: (_result, _args, cache) => invalidateQueryField(cache, 'employees'),
        connectTelegramBot: (_result, _args, cache) => invalidateQueryField(cache, 'telegramConnections', 'channelHealth'),
        connectViberBot: (_result, _args, cache) => invalidateQueryField(cache, 'viberConnections', 'channelHealth'),
        connectWhatsAppNumber: (_result, _args, cache) => invalidateQueryField(cache, 'whatsAppConnections', 'channelHealth'),
        connectMetaPage: (_result, _args, cache) => invalidateQueryField(cache, 'metaPageConnections', 'channelHealth'),
        connectBridge: (_result, _args, cache) => invalidateQueryField(cache, 'bridgeConnections', 'channelHealth'),
        // A login's last step connects the account; an earlier step changes no list, so this is cheap.
        submitTelegramUserLoginCode: (_result, _args, cache) => invalidateQueryField(cache, 'telegramUserConnections', 'channelHealth'),
        submitTelegramUserLoginPassword: (_result, _args, cache) => invalidateQueryField(cache, 'telegramUserConnections', 'channelHealth'),
        disconnectTelegramBot: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        disconnectTelegramUserAccount: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        disconnectViberBot: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        disconnectWhatsAppNumber: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        disconnectMetaPage: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        disconnectBridge: (_result, _args, cache) => invalidateQueryField(cache, 'channelHealth'),
        // Replayed deliveries leave the dead-letter list (they are queued again).
        replayBridgeDeadLetters: (_result, _args, cache) => invalidateQueryField(cache, 'bridgeDeadLetters'),
      },
    },
  });
}

/** Drops every cached instance (all arguments) of these root fields, so the pages showing them refetch. */
function invalidateQueryField(cache: Cache, ...fieldNames: string[]): void {
  for (const field of cache.inspectFields('Query')) {
    if (fieldNames.includes(field.fieldName)) cache.invalidate('Query', field.fieldName, field.arguments ?? undefined);
  }
}

export interface ConsoleClient {
  client: Client;
  dispose(): void;
}

/** One client per signed-in session: signing out drops the cache and the live connection with it. */
export function createConsoleClient(): ConsoleClient {
  const token = () => session.get()?.accessToken ?? '';
  const ws: WsClient = createWsClient({
    url: graphqlUrl('ws'),
    connectionParams: () => ({ authorization: `Bearer ${token()}` }),
    // The live feed resumes from its cursor (live/live-chat-events.ts), so graphql-ws must not silently
    // re-subscribe with the first cursor on its own.
    retryAttempts: 0,
  });
  const client = new Client({
    url: graphqlUrl('http'),
    requestPolicy: 'cache-and-network',
    // POST always: the gateway (Apollo) refuses GET queries without a CSRF-preventing header.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token()}` } }),
    exchanges: [
      mapExchange({
        onError: (error) => {
          if (isUnauthenticated(error)) session.signOut();
        },
      }),
      normalisedCache(),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

/** A client for signing in: no token, no cache worth keeping. */
export function createAnonymousClient(): Client {
  return new Client({ url: graphqlUrl('http'), exchanges: [fetchExchange], requestPolicy: 'network-only', preferGetMethod: false });
}
