/**
 * Runs the partner's curl examples of docs/bridge.md, in order, with the real curl and openssl against a
 * running Switchboard, so the bridge guide cannot drift from the bridge. Then an operator answers the
 * chat they created through the gateway, and the reply must reach the partner (a BridgePartnerDouble that
 * checks the documented signature) and become SENT; a reply the partner never accepted shows FAILED and,
 * replayed by an admin once the partner is back, SENT. Format of an example:
 * `<!-- bridge-example: name; expect: <status> [<error code>][; header: <name>: <value>] -->` followed by
 * an sh block that uses $SWITCHBOARD_BRIDGE_URL, $BRIDGE_CONNECTION_ID and $BRIDGE_SECRET and ends its
 * output with the HTTP status on a line of its own (curl -w '\n%{http_code}\n').
 */
import { BridgePartnerDouble, waitFor } from '@switchboard/testing';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { availableRuntimes } from './support/infra';
import { startTestStack, type TestStack } from './support/test-stack';

const run = promisify(execFile);

interface Example {
  name: string;
  status: number;
  errorCode: string | undefined;
  header: [string, string] | undefined;
  script: string;
}

function readExamples(markdown: string): Example[] {
  const pattern = /<!-- bridge-example: (.*?) -->\s*```sh\n([\s\S]*?)```/g;
  return [...markdown.matchAll(pattern)].map((match) => {
    const [name, ...options] = match[1]!.split(';').map((part) => part.trim());
    const expect = options.find((o) => o.startsWith('expect:'))?.slice('expect:'.length).trim().split(/\s+/) ?? [];
    const header = options.find((o) => o.startsWith('header:'))?.slice('header:'.length).trim();
    const separator = header?.indexOf(':') ?? -1;
    return {
      name: name!,
      status: Number(expect[0]),
      errorCode: expect[1],
      header: header && separator > 0 ? [header.slice(0, separator).trim().toLowerCase(), header.slice(separator + 1).trim()] : undefined,
      script: match[2]!,
    };
  });
}

const examples = readExamples(readFileSync(join(__dirname, '..', '..', 'docs', 'bridge.md'), 'utf8'));

const CHATS = `query Chats { chats(first: 20) { edges { node {
  id unanswered
  source { channel displayName }
  customer { displayName username phone }
  messages(first: 20) { edges { node { id direction text deliveryState } } }
} } } }`;

interface ChatNode {
  id: string;
  unanswered: boolean;
  source: { channel: string; displayName: string };
  customer: { displayName: string; username: string | null; phone: string | null };
  messages: { edges: { node: { id: string; direction: string; text: string | null; deliveryState: string | null } }[] };
}

describe.each(availableRuntimes())('docs/bridge.md examples on the %s runtime', (runtime) => {
  let stack: TestStack;
  const partner = new BridgePartnerDouble();
  const env: Record<string, string> = {};

  beforeAll(async () => {
    await partner.start();
    // A short retry schedule, so a reply reaches the dead-letter list within the test.
    stack = await startTestStack({ runtime, telegramMode: 'polling', bridgeDelivery: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 400, pollMs: 50 } });
    const connected = await stack.client.request<{ connectBridge: { connection: { id: string; inboundPath: string }; secret: string } }>(
      `mutation ($input: ConnectBridgeInput!) { connectBridge(input: $input) { connection { id inboundPath } secret } }`,
      { input: { name: 'Viber number gateway', outboundUrl: partner.url } },
    );
    partner.useSecret(connected.connectBridge.secret);
    Object.assign(env, {
      SWITCHBOARD_BRIDGE_URL: stack.switchboard.channelBridge.url,
      BRIDGE_CONNECTION_ID: connected.connectBridge.connection.id,
      BRIDGE_SECRET: connected.connectBridge.secret,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await partner.stop();
  });

  it('has examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(examples.every((e) => Number.isInteger(e.status))).toBe(true);
  });

  it.each(examples.map((e) => [e.name, e] as const))('runs "%s" with curl', async (_name, example) => {
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', example.script], {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      timeout: 30_000,
    });
    const lines = stdout.trimEnd().split('\n');
    const status = Number(lines.at(-1));
    const output = lines.slice(0, -1).join('\n');
    expect({ status, output }).toEqual({ status: example.status, output: expect.any(String) });
    const json = JSON.parse(output.slice(output.indexOf('{'))) as { error?: { code: string } };
    if (example.errorCode) expect(json.error?.code).toBe(example.errorCode);
    else expect(json.error).toBeUndefined();
    if (example.header) expect(output.toLowerCase()).toContain(`${example.header[0]}: ${example.header[1].toLowerCase()}`);
  });

  it('creates one chat that an operator answers through the gateway; the partner gets the reply signed', async () => {
    const chat = await waitFor(
      async () => {
        const data = await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS);
        const node = data.chats.edges.find((e) => e.node.source.channel === 'BRIDGE')?.node;
        return node && node.messages.edges.length >= 2 ? node : undefined;
      },
      { timeoutMs: 20_000, description: 'the bridge chat with both accepted messages' },
    );
    expect(chat.source.displayName).toBe('Viber number gateway');
    expect(chat.customer).toEqual({ displayName: 'Оксана Коваль', username: 'oksana_k', phone: '+380501234567' });
    // The retried and the conflicting requests created nothing: exactly the two accepted messages.
    expect(chat.messages.edges.map((e) => e.node.text).sort()).toEqual(['Добрий день! Чи є доставка у Львів?', 'Ось я тут'].sort());

    const reply = await stack.client.request<{ sendMessage: { message: { id: string; deliveryState: string } } }>(
      `mutation Reply($input: SendMessageInput!) { sendMessage(input: $input) { message { id deliveryState } } }`,
      { input: { chatId: chat.id, text: 'Так, доставляємо Новою поштою.' } },
    );
    expect(reply.sendMessage.message.deliveryState).toBe('PENDING');

    const delivered = await waitFor(() => partner.accepted().find((d) => d.body?.['text'] === 'Так, доставляємо Новою поштою.'), {
      timeoutMs: 20_000,
      description: 'the reply at the partner',
    });
    expect(delivered.signatureProblem).toBeUndefined();
    expect(delivered.body).toMatchObject({ deliveryId: reply.sendMessage.message.id, connectionId: env['BRIDGE_CONNECTION_ID'], chatId: '380501234567' });
    expect(delivered.headers['idempotency-key']).toBe(reply.sendMessage.message.id);

    await waitFor(
      async () => {
        const data = await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS);
        const node = data.chats.edges.find((e) => e.node.id === chat.id)?.node;
        return node?.messages.edges.find((e) => e.node.id === reply.sendMessage.message.id)?.node.deliveryState === 'SENT' && node.unanswered === false;
      },
      { timeoutMs: 20_000, description: 'the reply to become SENT' },
    );
  });

  it('shows a reply the partner never accepted as FAILED; replayed by an admin after the partner recovered, it becomes SENT', async () => {
    const chat = await waitFor(
      async () => (await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS)).chats.edges.find((e) => e.node.source.channel === 'BRIDGE')?.node,
      { description: 'the bridge chat' },
    );
    const stateOf = async (messageId: string) => {
      const data = await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS);
      return data.chats.edges.find((e) => e.node.id === chat.id)?.node.messages.edges.find((e) => e.node.id === messageId)?.node.deliveryState;
    };
    partner.failAlways({ status: 503, body: 'maintenance' });
    const reply = await stack.client.request<{ sendMessage: { message: { id: string } } }>(
      `mutation Reply($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`,
      { input: { chatId: chat.id, text: 'Відповідь після збою' } },
    );
    const messageId = reply.sendMessage.message.id;
    await waitFor(async () => (await stateOf(messageId)) === 'FAILED', { timeoutMs: 30_000, description: 'the reply FAILED after the last attempt' });

    partner.clearFailures();
    const dead = await stack.client.request<{ bridgeDeadLetters: { commandId: string; attempts: number }[] }>(`{ bridgeDeadLetters { commandId attempts } }`);
    expect(dead.bridgeDeadLetters).toEqual([{ commandId: messageId, attempts: 3 }]);
    const replayed = await stack.client.request<{ replayBridgeDeadLetters: { replayedCommandIds: string[] } }>(
      `mutation Replay($ids: [ID!]!) { replayBridgeDeadLetters(commandIds: $ids) { replayedCommandIds } }`,
      { ids: [messageId] },
    );
    expect(replayed.replayBridgeDeadLetters.replayedCommandIds).toEqual([messageId]);
    await waitFor(async () => (await stateOf(messageId)) === 'SENT', { timeoutMs: 30_000, description: 'the replayed reply SENT' });
    expect(partner.accepted().filter((d) => d.body?.['deliveryId'] === messageId)).toHaveLength(1);
  });
});
