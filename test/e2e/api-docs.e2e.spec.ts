/**
 * Runs every example of docs/api.md, in order, against a fresh standalone Switchboard, so the API guide
 * cannot drift from the API. Format: `<!-- example: name[; as: anonymous][; subscription][; capture:
 * key = dotted.path, ...] -->` followed by a graphql block and an optional json block of variables, where
 * `{{key}}` is replaced by a value captured earlier.
 */
import { waitFor } from '@switchboard/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GraphQLClient } from './support/graphql-client';
import { LiveSubscriber } from './support/live-client';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

interface Example {
  name: string;
  anonymous: boolean;
  subscription: boolean;
  captures: [string, string][];
  query: string;
  variables: string;
}

function readExamples(markdown: string): Example[] {
  const pattern = /<!-- example: (.*?) -->\s*```graphql\n([\s\S]*?)```(?:\s*```json\n([\s\S]*?)```)?/g;
  return [...markdown.matchAll(pattern)].map((match) => {
    const [name, ...options] = match[1]!.split(';').map((part) => part.trim());
    const capture = options.find((o) => o.startsWith('capture:'))?.slice('capture:'.length) ?? '';
    return {
      name: name!,
      anonymous: options.includes('as: anonymous'),
      subscription: options.includes('subscription'),
      captures: capture
        .split(',')
        .map((c) => c.split('=').map((s) => s.trim()) as [string, string])
        .filter(([key]) => key),
      query: match[2]!,
      variables: match[3] ?? '{}',
    };
  });
}

function at(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], data);
}

const examples = readExamples(readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8'));
const DOC_ADMIN = { email: 'admin@switchboard.local', password: 'switchboard' };

describe('docs/api.md examples', () => {
  let stack: TestStack;
  const client = { current: undefined as GraphQLClient | undefined };
  const captured = new Map<string, string>();
  const subscribers: LiveSubscriber[] = [];

  beforeAll(async () => {
    stack = await startTestStack({ runtime: 'standalone', telegramMode: 'polling' });
    await stack.client.request(`mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`, {
      input: { ...DOC_ADMIN, name: 'Docs Admin', role: 'ADMIN' },
    });
    await stack.client.request(`mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, { input: { token: BOT.token } });
    await stack.telegram.customer(BOT.token, { id: 930001, firstName: 'Оксана', username: 'oksana' }).sendText('Добрий день! Де моє замовлення?');
    await waitFor(async () => (await stack.client.request<{ chats: { totalCount: number } }>(`{ chats { totalCount } }`)).chats.totalCount === 1, {
      timeoutMs: 20_000,
      description: 'the demo chat',
    });
  });

  afterAll(async () => {
    for (const s of subscribers) await s.disconnect();
    await stack?.stop();
  });

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples.map((e) => [e.name, e] as const))('runs "%s"', async (_name, example) => {
    const variables = JSON.parse(example.variables.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => captured.get(key) ?? whole)) as Record<string, unknown>;
    expect(JSON.stringify(variables)).not.toMatch(/\{\{\w+\}\}/);
    if (example.subscription) {
      const live = new LiveSubscriber(stack.client.url, client.current!.token!);
      subscribers.push(live);
      await live.connect();
      expect(live.errors).toEqual([]);
      return;
    }
    const caller = example.anonymous ? new GraphQLClient(stack.client.url) : client.current!;
    const { body } = await caller.raw(example.query, variables);
    expect(body.errors).toBeUndefined();
    const token = at(body.data, 'login.accessToken');
    if (typeof token === 'string') {
      client.current = new GraphQLClient(stack.client.url);
      client.current.token = token;
    }
    for (const [key, path] of example.captures) {
      const value = at(body.data, path);
      expect(typeof value).toBe('string');
      captured.set(key, value as string);
    }
  });
});
