/**
 * Runs the partner's curl examples of docs/bridge.md, in order, with the real curl and openssl against a
 * running Switchboard, so the bridge guide cannot drift from the bridge. Then an operator answers the
 * chat they created through the gateway, and the reply must reach the partner (a BridgePartnerDouble that
 * checks the documented signature) and become SENT; a reply the partner never accepted shows FAILED and,
 * replayed by an admin once the partner is back, SENT. Files both ways: the document the file example sends
 * by URL (served by the partner double) reaches the operator's download byte for byte, the photo whose URL
 * cannot be fetched (partner.example) is a FAILED file while its message stays, and a file the operator
 * attaches reaches the partner as a signed download link that works without credentials. Format of an example:
 * `<!-- bridge-example: name; expect: <status> [<error code>][; header: <name>: <value>] -->` followed by
 * an sh block that uses $SWITCHBOARD_BRIDGE_URL, $BRIDGE_CONNECTION_ID, $BRIDGE_SECRET (and $PARTNER_MEDIA_URL) and ends its
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

/** The document the file example sends: a PDF the files service recognises by its content. */
const INVOICE = Buffer.from('%PDF-1.7\n1 0 obj << /Title (invoice 1005) >> endobj\ntrailer << >>\n%%EOF\n');
const TARIFFS = Buffer.from('%PDF-1.7\n1 0 obj << /Title (tariffs) >> endobj\ntrailer << >>\n%%EOF\n');

type FileNode = { origin: string; state: string; fileName: string | null; mimeType: string | null; failure: string | null; downloadUrl: string | null };
const FILES = `query ($id: ID!) { chat(id: $id) { files(first: 20) { edges { node { origin state fileName mimeType failure downloadUrl } } } } }`;

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
    const invoiceUrl = partner.hostFile('invoice-1005.pdf', INVOICE, 'application/pdf');
    Object.assign(env, {
      PARTNER_MEDIA_URL: invoiceUrl.slice(0, invoiceUrl.lastIndexOf('/')),
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
        return node && node.messages.edges.length >= 3 ? node : undefined;
      },
      { timeoutMs: 20_000, description: 'the bridge chat with the three accepted messages' },
    );
    expect(chat.source.displayName).toBe('Viber number gateway');
    expect(chat.customer).toEqual({ displayName: 'Оксана Коваль', username: 'oksana_k', phone: '+380501234567' });
    // The retried and the conflicting requests created nothing: exactly the three accepted messages.
    expect(chat.messages.edges.map((e) => e.node.text).sort()).toEqual(['Добрий день! Чи є доставка у Львів?', 'Ось я тут', 'Надсилаю рахунок'].sort());

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

  it("stores the customer's document for the operator's download; the photo whose URL fails is FAILED and its message stays", async () => {
    const chat = await waitFor(
      async () => (await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS)).chats.edges.find((e) => e.node.source.channel === 'BRIDGE')?.node,
      { description: 'the bridge chat' },
    );
    const files = await waitFor(
      async () => {
        const data = await stack.client.request<{ chat: { files: { edges: { node: FileNode }[] } } }>(FILES, { id: chat.id });
        const nodes = data.chat.files.edges.map((e) => e.node);
        return nodes.length === 2 && nodes.every((n) => n.state !== 'PENDING') ? nodes : undefined;
      },
      { timeoutMs: 40_000, description: "both customer files fetched or given up" },
    );
    const invoice = files.find((f) => f.fileName === 'invoice-1005.pdf');
    expect(invoice).toMatchObject({ origin: 'CHANNEL', state: 'STORED', mimeType: 'application/pdf', failure: null });
    const download = await fetch(invoice!.downloadUrl!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(INVOICE)).toBe(true);
    expect(partner.fileRequests.filter((r) => r.path === '/media/invoice-1005.pdf')).toEqual([{ path: '/media/invoice-1005.pdf', status: 200 }]);

    // https://partner.example/media/1002.jpg cannot be fetched: the file says why, the message is in the chat.
    const photo = files.find((f) => f.fileName !== 'invoice-1005.pdf');
    expect(photo).toMatchObject({ state: 'FAILED', downloadUrl: null, failure: expect.stringContaining('MEDIA_GONE') });
    expect(chat.messages.edges.some((e) => e.node.text === 'Ось я тут')).toBe(true);
  });

  it("delivers a file the operator attaches to the partner as a signed download link", async () => {
    const chat = await waitFor(
      async () => (await stack.client.request<{ chats: { edges: { node: ChatNode }[] } }>(CHATS)).chats.edges.find((e) => e.node.source.channel === 'BRIDGE')?.node,
      { description: 'the bridge chat' },
    );
    const link = await stack.client.request<{ createFileUpload: { uploadUrl: string } }>(`mutation ($c: ID!) { createFileUpload(chatId: $c) { uploadUrl } }`, { c: chat.id });
    const uploadUrl = new URL(link.createFileUpload.uploadUrl);
    uploadUrl.searchParams.set('name', 'tariffs.pdf');
    const uploaded = await fetch(uploadUrl, { method: 'POST', body: TARIFFS });
    expect(uploaded.status).toBe(201);
    const fileId = ((await uploaded.json()) as { file: { id: string } }).file.id;

    const reply = await stack.client.request<{ sendMessage: { message: { id: string } } }>(
      `mutation Reply($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`,
      { input: { chatId: chat.id, text: 'Тарифи у вкладенні', fileIds: [fileId] } },
    );
    const delivered = await waitFor(() => partner.accepted().find((d) => d.body?.['deliveryId'] === reply.sendMessage.message.id), {
      timeoutMs: 20_000,
      description: 'the reply with the file at the partner',
    });
    expect(delivered.signatureProblem).toBeUndefined();
    const attachments = delivered.body!['attachments'] as Array<{ url: string; expiresAt: string; fileName: string; mimeType: string; sizeBytes: number }>;
    expect(attachments).toEqual([{ url: expect.any(String), expiresAt: expect.any(String), fileName: 'tariffs.pdf', mimeType: 'application/pdf', sizeBytes: TARIFFS.length }]);
    expect(Date.parse(attachments[0]!.expiresAt)).toBeGreaterThan(Date.now());
    // What the partner does with it, as the guide says: a plain GET, no credentials.
    const download = await fetch(attachments[0]!.url);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(TARIFFS)).toBe(true);
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
