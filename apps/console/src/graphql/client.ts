import { cacheExchange } from '@urql/exchange-graphcache';
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
      FileConnection: embedded,
      FileEdge: embedded,
      FileUpload: embedded,
      // A chat's link, not the record: two chats linked to one lead have two links.
      ChatCrmLink: embedded,
      CrmSocialProfile: embedded,
      CrmSearchHit: embedded,
    },
    updates: {
      Mutation: {
        // A deleted chat disappears from every list and view that holds it.
        deleteChat: (_result, args, cache) => {
          cache.invalidate({ __typename: 'Chat', id: args['chatId'] as string });
        },
      },
    },
  });
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
