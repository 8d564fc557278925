import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { createLogger, signAccessToken } from '@switchboard/service-kit';
import { startGateway, type RunningGateway } from '../src/gateway-server';
import { composeSupergraph } from '../src/supergraph/compose-supergraph';

const JWT_SECRET = 'test-secret-test-secret-test-secret-42';
const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';
const logger = createLogger('gateway-test', 'silent');

const IDENTITY_SDL = `${FEDERATION_LINK}
  input LoginInput { email: String! password: String! }
  type LoginPayload { accessToken: String! }
  type Query { ping: String! }
  type Mutation { login(input: LoginInput!): LoginPayload! }`;

const ECHO_SDL = `${FEDERATION_LINK}
  type Echo { authorization: String correlationId: String }
  type Node { value: Int! child: Node }
  type Query { me: Echo! tree: Node! }`;

interface SubgraphRequestContext {
  headers: Record<string, string | undefined>;
}

/** A tiny subgraph on a random port, with /health like the real services. */
async function startSubgraph(sdl: string, resolvers: Record<string, Record<string, unknown>>): Promise<{ url: string; stop(): Promise<void> }> {
  const server = new ApolloServer<SubgraphRequestContext>({
    // Resolver maps are loosely typed by @apollo/subgraph itself.
    schema: buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never }),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await server.start();
  const app = express();
  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(server, {
      context: async ({ req }) => ({
        headers: { authorization: req.headers.authorization, correlationId: req.headers['x-correlation-id'] as string | undefined },
      }),
    }),
  );
  const httpServer: Server = createServer(app);
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: async () => {
      await server.stop();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

describe('gateway authentication', () => {
  let identity: Awaited<ReturnType<typeof startSubgraph>>;
  let echo: Awaited<ReturnType<typeof startSubgraph>>;
  let gateway: RunningGateway;
  let token: string;

  beforeAll(async () => {
    identity = await startSubgraph(IDENTITY_SDL, {
      Query: { ping: () => 'pong' },
      Mutation: { login: () => ({ accessToken: 'issued-token' }) },
    });
    const tree = (depth: number): unknown => ({ value: depth, child: () => tree(depth + 1) });
    echo = await startSubgraph(ECHO_SDL, {
      Query: {
        me: (_root: unknown, _args: unknown, context: SubgraphRequestContext) => context.headers,
        tree: () => tree(1),
      },
    });
    const supergraphSdl = composeSupergraph([
      { name: 'identity', sdl: IDENTITY_SDL },
      { name: 'echo', sdl: ECHO_SDL },
    ]);
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      supergraphSdl,
      subgraphUrls: { identity: identity.url, echo: echo.url },
      jwtSecret: JWT_SECRET,
      logger,
      corsOrigins: ['https://console.example'],
    });
    token = await signAccessToken(
      { employeeId: '4b1c1b4e-7c1f-4a53-9a59-0d6f0c4b2f11', role: 'operator', name: 'Olena' },
      { secret: JWT_SECRET, ttlSeconds: 300 },
    );
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([identity?.stop(), echo?.stop()]);
  });

  async function post(query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: GraphQLBody; headers: Headers }> {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLBody, headers: response.headers };
  }

  it('lets an anonymous caller log in', async () => {
    const { status, body } = await post('mutation { login(input: { email: "a@b.c", password: "x" }) { accessToken } }');
    expect(status).toBe(200);
    expect(body.data).toEqual({ login: { accessToken: 'issued-token' } });
  });

  it('lets an anonymous caller log in through a named fragment too', async () => {
    const { status } = await post('mutation M { ...L } fragment L on Mutation { login(input: { email: "a@b.c", password: "x" }) { accessToken } }');
    expect(status).toBe(200);
  });

  it('answers any other anonymous operation with 401 UNAUTHENTICATED', async () => {
    const { status, body } = await post('{ me { authorization } }');
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('does not let an anonymous caller smuggle a private field next to login', async () => {
    const { status } = await post('query { ping me { authorization } }');
    expect(status).toBe(401);
  });

  it('serves an authenticated caller and forwards the Authorization and correlation headers', async () => {
    const { status, body, headers } = await post('{ me { authorization correlationId } }', {
      authorization: `Bearer ${token}`,
      'x-correlation-id': 'corr-123',
    });
    expect(status).toBe(200);
    expect(body.data).toEqual({ me: { authorization: `Bearer ${token}`, correlationId: 'corr-123' } });
    expect(headers.get('x-correlation-id')).toBe('corr-123');
  });

  it('serves queries over GET', async () => {
    const url = `${gateway.url}?query=${encodeURIComponent('{ me { authorization } }')}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(((await response.json()) as GraphQLBody).data).toEqual({ me: { authorization: `Bearer ${token}` } });
  });

  it.each([
    ['a garbage token', 'Bearer not-a-jwt'],
    ['a token signed with another secret', 'OTHER'],
    ['a non-Bearer scheme', 'Basic dXNlcjpwYXNz'],
  ])('rejects %s with 401 UNAUTHENTICATED', async (_label, authorization) => {
    const header =
      authorization === 'OTHER'
        ? `Bearer ${await signAccessToken({ employeeId: '4b1c1b4e-7c1f-4a53-9a59-0d6f0c4b2f11', role: 'admin', name: 'Eve' }, { secret: 'x'.repeat(40), ttlSeconds: 300 })}`
        : authorization;
    const { status, body } = await post('{ me { authorization } }', { authorization: header });
    expect(status).toBe(401);
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('allows introspection only to authenticated callers', async () => {
    expect((await post('{ __schema { queryType { name } } }')).status).toBe(401);
    const { status, body } = await post('{ __schema { queryType { name } } }', { authorization: `Bearer ${token}` });
    expect(status).toBe(200);
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('rejects operations nested deeper than 12 levels with QUERY_TOO_DEEP', async () => {
    const nest = (levels: number): string => (levels === 0 ? 'value' : `value child { ${nest(levels - 1)} }`);
    const ok = await post(`{ tree { ${nest(10)} } }`, { authorization: `Bearer ${token}` }); // 12 levels
    expect(ok.status).toBe(200);
    const { status, body } = await post(`{ tree { ${nest(11)} } }`, { authorization: `Bearer ${token}` }); // 13 levels
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('counts depth through fragments', async () => {
    const query = `{ tree { ...A } } fragment A on Node { child { child { child { ...B } } } }
      fragment B on Node { child { child { child { child { child { child { child { child { value } } } } } } } } }`;
    const { status, body } = await post(query, { authorization: `Bearer ${token}` });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('refuses request bodies over 1 MB', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ me { authorization } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(response.status).toBe(413);
  });

  it('sends security headers and CORS for configured origins only', async () => {
    const allowed = await fetch(gateway.url, { method: 'OPTIONS', headers: { origin: 'https://console.example', 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const other = await post('mutation { login(input: { email: "a@b.c", password: "x" }) { accessToken } }', { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('x-content-type-options')).toBe('nosniff');
    expect(other.headers.get('referrer-policy')).toBe('no-referrer');
    expect(other.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves /health, /ready (every subgraph healthy) and /metrics', async () => {
    const origin = new URL(gateway.url).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    const ready = await fetch(`${origin}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { 'subgraph:identity': 'ok', 'subgraph:echo': 'ok' } });
    expect(await (await fetch(`${origin}/metrics`)).text()).toContain('process_cpu_user_seconds_total');
  });
});

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}
