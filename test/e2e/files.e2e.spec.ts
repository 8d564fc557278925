/**
 * Files through the gateway on both runtimes (issue 7, C10): a photo and a document a Telegram customer
 * sends are fetched from the connector at receipt (getFile + download from the Bot API double) and reach the
 * operator's download; an operator uploads through a link from createFileUpload; disguised and over-size
 * files are refused with a clear reason; an employee who may not see the chat can neither list, upload nor
 * open its files.
 */
import { waitFor } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { GraphQLClient } from './support/graphql-client';
import { availableRuntimes } from './support/infra';
import { BOT, startTestStack, type TestStack } from './support/test-stack';
import { setConnectionMembers } from './support/connection-members';

const PASSWORD = 'operator-password-1';
type FileNode = { id: string; origin: string; messageId: string | null; state: string; fileName: string | null; mimeType: string | null; kind: string; sizeBytes: number | null; downloadUrl: string | null };
const FILES_QUERY = `query($id: ID!) { chat(id: $id) { id files(first: 20) { edges { node { id origin messageId state fileName mimeType kind sizeBytes downloadUrl } } } } }`;

const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), randomBytes(3_000)]);
const pdf = () => Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');

describe.each(availableRuntimes())('files on the %s runtime', (runtime) => {
  let stack: TestStack;
  let operator: GraphQLClient;
  let outsider: GraphQLClient;
  let chatId: string;

  async function employee(email: string, name: string): Promise<{ client: GraphQLClient; id: string }> {
    const created = await stack.client.request<{ createEmployee: { id: string } }>(
      `mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`,
      { input: { email, name, role: 'OPERATOR', password: PASSWORD } },
    );
    const client = new GraphQLClient(stack.client.url);
    await client.login(email, PASSWORD);
    return { client, id: created.createEmployee.id };
  }

  const filesOf = async (client: GraphQLClient) => (await client.request<{ chat: { files: { edges: { node: FileNode }[] } } }>(FILES_QUERY, { id: chatId })).chat.files.edges.map((e) => e.node);

  async function upload(client: GraphQLClient, name: string, bytes: Buffer): Promise<{ status: number; body: { file?: FileNode; error?: { reason: string; message: string } } }> {
    const link = await client.request<{ createFileUpload: { uploadUrl: string; maxBytes: number } }>(`mutation($c: ID!) { createFileUpload(chatId: $c) { uploadUrl maxBytes } }`, { c: chatId });
    const url = new URL(link.createFileUpload.uploadUrl);
    url.searchParams.set('name', name);
    const response = await fetch(url, { method: 'POST', body: bytes });
    return { status: response.status, body: (await response.json()) as never };
  }

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    const connected = await stack.client.request<{ connectTelegramBot: { connection: { id: string } } }>(
      `mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`,
      { input: { token: BOT.token } },
    );
    const member = await employee('olena.files@switchboard.test', 'Олена Петренко');
    operator = member.client;
    outsider = (await employee('ivan.files@switchboard.test', 'Ivan Nobody')).client;
    await setConnectionMembers(stack.client, connected.connectTelegramBot.connection.id, [member.id]);
  });
  afterAll(() => stack?.stop());

  it("stores a Telegram customer's photo and document at receipt and serves them to the operator", async () => {
    const customer = stack.telegram.customer(BOT.token, { id: 770001, firstName: 'Марія' });
    const photoBytes = jpeg();
    const documentBytes = pdf();
    customer.sendPhoto({ bytes: photoBytes, caption: 'Ось фото пошкодження' });
    customer.sendDocument({ fileName: 'Накладна.pdf', mimeType: 'application/pdf', bytes: documentBytes });
    chatId = await waitFor(
      async () => (await operator.request<{ chats: { edges: { node: { id: string } }[] } }>(`{ chats(first: 5) { edges { node { id } } } }`)).chats.edges[0]?.node.id,
      { timeoutMs: 20_000, description: 'the chat to appear' },
    );
    const files = await waitFor(
      async () => {
        const found = await filesOf(operator);
        return found.length === 2 && found.every((f) => f.state === 'STORED') ? found : undefined;
      },
      { timeoutMs: 30_000, description: 'both media to be stored' },
    );
    const photo = files.find((f) => f.kind === 'image')!;
    const document = files.find((f) => f.kind === 'document')!;
    expect(photo).toMatchObject({ origin: 'CHANNEL', mimeType: 'image/jpeg' });
    expect(document).toMatchObject({ origin: 'CHANNEL', mimeType: 'application/pdf', fileName: 'Накладна.pdf' });
    // Telegram keeps the largest photo size as the bytes the customer sent.
    expect(Buffer.from(await (await fetch(photo.downloadUrl!)).arrayBuffer()).equals(photoBytes)).toBe(true);
    expect(Buffer.from(await (await fetch(document.downloadUrl!)).arrayBuffer()).equals(documentBytes)).toBe(true);
    // The message the files came with is a message of the chat's timeline.
    const messages = await operator.request<{ chat: { messages: { edges: { node: { id: string } }[] } } }>(`query($id: ID!) { chat(id: $id) { messages(first: 10) { edges { node { id } } } } }`, {
      id: chatId,
    });
    expect(messages.chat.messages.edges.map((e) => e.node.id)).toEqual(expect.arrayContaining([photo.messageId, document.messageId]));
  });

  it('lets the operator upload a file and refuses disguised and over-size files with a clear reason', async () => {
    const stored = await upload(operator, 'Рахунок.pdf', pdf());
    expect(stored.status).toBe(201);
    expect(stored.body.file).toMatchObject({ origin: 'UPLOAD', state: 'STORED', mimeType: 'application/pdf', fileName: 'Рахунок.pdf' });
    expect((await filesOf(operator)).map((f) => f.id)).toContain(stored.body.file!.id);

    const disguised = await upload(operator, 'photo.jpg', pdf());
    expect({ status: disguised.status, reason: disguised.body.error?.reason }).toEqual({ status: 415, reason: 'FILE_TYPE_MISMATCH' });
    const program = await upload(operator, 'invoice.pdf', Buffer.concat([Buffer.from('MZ'), randomBytes(500)]));
    expect({ status: program.status, reason: program.body.error?.reason }).toEqual({ status: 415, reason: 'FILE_TYPE_FORBIDDEN' });
    const link = await operator.request<{ createFileUpload: { maxBytes: number } }>(`mutation($c: ID!) { createFileUpload(chatId: $c) { maxBytes } }`, { c: chatId });
    const huge = await upload(operator, 'huge.pdf', Buffer.concat([pdf(), Buffer.alloc(link.createFileUpload.maxBytes)]));
    expect({ status: huge.status, reason: huge.body.error?.reason }).toEqual({ status: 413, reason: 'FILE_TOO_LARGE' });
    expect(huge.body.error?.message).toMatch(/larger than the limit of 50 MB/);
  });

  it('keeps the files of a chat from an employee who may not see it', async () => {
    const refusedList = await outsider.raw(FILES_QUERY, { id: chatId });
    expect((refusedList.body.data as { chat: unknown }).chat).toBeNull();
    const refusedUpload = await outsider.raw(`mutation($c: ID!) { createFileUpload(chatId: $c) { uploadUrl } }`, { c: chatId });
    expect(refusedUpload.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const fileId = (await filesOf(operator))[0]!.id;
    const single = await outsider.request<{ file: unknown }>(`query($id: ID!) { file(id: $id) { id downloadUrl } }`, { id: fileId });
    expect(single.file).toBeNull();
  });
});
