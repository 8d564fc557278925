import { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { ReadinessCheck } from '@switchboard/service-kit';
import { CORRELATION_ID_HEADER, type GatewayContext } from '../auth/gateway-context';

/**
 * The gateway's buildService: one data source per subgraph, at the URL the environment gives (the
 * supergraph's URLs are placeholders). Forwards the caller's token, because every subgraph checks
 * permissions itself, and the correlation id, so one request can be followed through all logs.
 */
export function subgraphServiceBuilder(subgraphUrls: Readonly<Record<string, string>>) {
  return ({ name }: { name: string }): RemoteGraphQLDataSource<GatewayContext> => {
    const url = subgraphUrls[name];
    if (!url) {
      throw new Error(`No URL configured for subgraph "${name}" (have: ${Object.keys(subgraphUrls).join(', ') || 'none'}); set its *_SUBGRAPH_URL`);
    }
    return new RemoteGraphQLDataSource<GatewayContext>({
      url,
      // Node's fetch (undici) closes an idle kept-alive connection before the server's Keep-Alive timeout (the
      // subgraphs announce 65 s, decision 0058), so a request is never sent on a connection the subgraph is closing.
      // The default fetcher kept connections past it and now and then lost a request to ECONNRESET, which
      // reached the caller as INTERNAL_SERVER_ERROR (seen in the e2e suites under load).
      fetcher: subgraphFetch,
      willSendRequest({ request, context }) {
        // The gateway's own calls (no caller) arrive with an empty context.
        const caller = context as Partial<GatewayContext>;
        if (caller.authorization) request.http?.headers.set('authorization', caller.authorization);
        if (caller.correlationId) request.http?.headers.set(CORRELATION_ID_HEADER, caller.correlationId);
      },
    });
  };
}

type SubgraphFetcher = NonNullable<NonNullable<ConstructorParameters<typeof RemoteGraphQLDataSource>[0]>['fetcher']>;
/** Node's global fetch, typed as Apollo's Fetcher (the same WHATWG shape; Apollo's types are a structural subset). */
const subgraphFetch = ((url: string, init?: RequestInit) => fetch(url, init)) as unknown as SubgraphFetcher;

/** /ready checks: each subgraph's /health, at the same origin as its GraphQL endpoint. */
export function subgraphReadinessChecks(subgraphUrls: Readonly<Record<string, string>>): Record<string, ReadinessCheck> {
  return Object.fromEntries(
    Object.entries(subgraphUrls).map(([name, url]) => [
      `subgraph:${name}`,
      async () => {
        const response = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(2_000) });
        if (!response.ok) throw new Error(`/health answered ${response.status}`);
      },
    ]),
  );
}
