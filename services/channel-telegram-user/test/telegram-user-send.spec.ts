import { InternalFileError } from '@switchboard/service-kit';
import { TelegramUserCloudDouble, TelegramUserRpcErrorDouble } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { randomIdOf, sendCommand, splitText, TELEGRAM_CAPTION_LIMIT, TELEGRAM_TEXT_LIMIT, type OutboundFiles, type TelegramUserClient } from '../src';

const ACCOUNT = { userId: '100', phone: '+380500000001', firstName: 'Shop' };
const CUSTOMER = { userId: '200', firstName: 'Оксана' };

async function loggedIn(cloud: TelegramUserCloudDouble): Promise<TelegramUserClient> {
  const login = cloud.factory('');
  await login.connect();
  const { phoneCodeHash } = await login.sendCode(ACCOUNT.phone);
  await login.signIn({ phone: ACCOUNT.phone, phoneCodeHash, code: cloud.codeFor(ACCOUNT.phone) });
  const session = login.exportSession();
  await login.disconnect();
  const client: TelegramUserClient = cloud.factory(session);
  await client.connect();
  return client;
}

interface StoredFile {
  fileId: string;
  url: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  bytes: Buffer;
}

/** The files service's internal content route as the connector sees it: bytes by URL, refused above maxBytes. */
class FilesInMemory implements OutboundFiles {
  readonly files = new Map<string, StoredFile>();
  readonly reads: string[] = [];
  unavailable = false;

  add(fileName: string, mimeType: string, bytes: Buffer): StoredFile {
    const fileId = randomUUID();
    const file = { fileId, url: `http://files.internal/internal/files/${fileId}`, fileName, mimeType, sizeBytes: bytes.length, bytes };
    this.files.set(file.url, file);
    return file;
  }

  async content(url: string, maxBytes: number) {
    this.reads.push(url);
    if (this.unavailable) throw new InternalFileError(503, 'UNAVAILABLE', 'files service is restarting');
    const file = this.files.get(url);
    if (!file) throw new InternalFileError(404, 'FILE_NOT_FOUND', 'No such file');
    if (file.bytes.length > maxBytes) throw new InternalFileError(413, 'FILE_TOO_LARGE', `The file has ${file.bytes.length} bytes; at most ${maxBytes} can be sent`);
    return { bytes: file.bytes, mimeType: file.mimeType, fileName: file.fileName };
  }
}

function command(text: string | undefined, extra: { attachments?: boolean | StoredFile[]; replyTo?: string } = {}) {
  const attachments = Array.isArray(extra.attachments)
    ? extra.attachments.map(({ fileId, url, fileName, mimeType, sizeBytes }) => ({ fileId, url, fileName, mimeType, sizeBytes }))
    : extra.attachments
      ? [{ fileId: 'f', url: 'https://files.example/f', fileName: 'a.pdf', mimeType: 'application/pdf', sizeBytes: 1 }]
      : [];
  return {
    commandId: randomUUID(),
    chatKey: 'c:200',
    connection: { id: randomUUID(), channel: 'telegram-user' as const, displayName: 'Shop' },
    externalChatId: CUSTOMER.userId,
    ...(text !== undefined ? { text } : {}),
    attachments,
    ...(extra.replyTo ? { replyToPlatformMessageId: extra.replyTo } : {}),
    requestedAt: new Date().toISOString(),
  };
}

describe('sendCommand', () => {
  let cloud: TelegramUserCloudDouble;
  let client: TelegramUserClient;
  let peer: { userId: string; accessHash: string };
  let files: FilesInMemory;
  const waits: number[] = [];
  const policy = { attempts: 3, floodWaitMaxSeconds: 10, wait: async (seconds: number) => (waits.push(seconds), true) };
  const send = (cmd: ReturnType<typeof command>) => sendCommand(client, cmd, peer, policy, files);

  beforeEach(async () => {
    waits.length = 0;
    files = new FilesInMemory();
    cloud = new TelegramUserCloudDouble();
    cloud.addAccount(ACCOUNT);
    cloud.addCustomer(CUSTOMER);
    client = await loggedIn(cloud);
    cloud.customerWrites(ACCOUNT.userId, CUSTOMER.userId, { text: 'hi' });
    const { users } = await client.getDialogs({ limit: 10 });
    peer = { userId: CUSTOMER.userId, accessHash: users[0]!.accessHash!.toString() };
  });

  it('splits long texts into parts of at most 4096 characters, in order, reporting the first id', async () => {
    const text = 'а'.repeat(TELEGRAM_TEXT_LIMIT) + 'б'.repeat(10);
    const result = await send(command(text));
    const sent = cloud.sentBy(ACCOUNT.userId);
    expect(sent.map((s) => s.text.length)).toEqual([TELEGRAM_TEXT_LIMIT, 10]);
    expect(result).toEqual({ state: 'sent', messageId: sent[0]!.id, messageIds: sent.map((s) => s.id) });
    expect(splitText('x'.repeat(TELEGRAM_TEXT_LIMIT))).toHaveLength(1);
  });

  it('waits out flood waits within the limit and gives up after the attempt budget', async () => {
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 3));
    expect((await send(command('раз'))).state).toBe('sent');
    expect(waits).toEqual([3]);
    cloud.failNextSends(ACCOUNT.userId, ...[1, 2, 3].map(() => new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 2)));
    const result = await send(command('два'));
    expect(result).toMatchObject({ state: 'failed', code: 'rate_limited' });
    expect(result.state === 'failed' && result.message).toContain('after 3 attempts');
  });

  it('classifies Telegram refusals: PEER_FLOOD flags the account, dead sessions, blocked customers', async () => {
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('PEER_FLOOD', 400));
    expect(await send(command('x'))).toMatchObject({ state: 'failed', code: 'rate_limited', accountProblem: expect.stringContaining('PEER_FLOOD') });
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('USER_IS_BLOCKED', 400));
    expect(await send(command('x'))).toMatchObject({ state: 'failed', code: 'blocked' });
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401));
    expect(await send(command('x'))).toMatchObject({ state: 'failed', code: 'unauthorized', sessionDead: true });
    expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(0);
  });

  it('derives a stable randomId per command part, so Telegram drops a retried duplicate', async () => {
    const same = command('один раз');
    expect(randomIdOf(same.commandId, 0)).toBe(randomIdOf(same.commandId, 0));
    expect(randomIdOf(same.commandId, 0)).not.toBe(randomIdOf(same.commandId, 1));
    expect((await send(same)).state).toBe('sent');
    expect(await send(same)).toMatchObject({ state: 'failed', code: 'unknown' });
    expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(1);
  });

  describe('attachments', () => {
    const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(2_000)]);

    it('sends a photo as a photo and a PDF as a document, the short text as the first caption, replying with the first', async () => {
      const photo = files.add('door.jpg', 'image/jpeg', jpeg());
      const pdf = files.add('invoice.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF'));
      cloud.customerWrites(ACCOUNT.userId, CUSTOMER.userId, { text: 'Є фото?' });
      const cmd = command('Ось фото і рахунок', { attachments: [photo, pdf], replyTo: '2' });
      const result = await send(cmd);
      const sent = cloud.sentBy(ACCOUNT.userId);
      expect(sent.map((s) => [s.file?.as, s.file?.fileName, s.file?.mimeType, s.text, s.replyToMsgId])).toEqual([
        ['photo', 'door.jpg', 'image/jpeg', 'Ось фото і рахунок', 2],
        ['document', 'invoice.pdf', 'application/pdf', '', undefined],
      ]);
      expect(sent[0]!.file!.bytes.equals(photo.bytes)).toBe(true);
      expect(sent[1]!.file!.bytes.equals(pdf.bytes)).toBe(true);
      expect(sent.map((s) => s.randomId)).toEqual([randomIdOf(cmd.commandId, 0), randomIdOf(cmd.commandId, 1)]);
      expect(result).toEqual({ state: 'sent', messageId: sent[0]!.id, messageIds: sent.map((s) => s.id) });
    });

    it('sends a text longer than a caption first, in parts, then the files without a caption', async () => {
      const photo = files.add('a.png', 'image/png', randomBytes(500));
      const text = 'т'.repeat(TELEGRAM_CAPTION_LIMIT + 1);
      expect((await send(command(text, { attachments: [photo] }))).state).toBe('sent');
      expect(cloud.sentBy(ACCOUNT.userId).map((s) => [s.text.length, s.file?.as])).toEqual([
        [TELEGRAM_CAPTION_LIMIT + 1, undefined],
        [0, 'photo'],
      ]);
    });

    it('sends files alone, without text', async () => {
      const archive = files.add('logs.zip', 'application/zip', randomBytes(300));
      expect((await send(command(undefined, { attachments: [archive] }))).state).toBe('sent');
      expect(cloud.sentBy(ACCOUNT.userId)).toEqual([expect.objectContaining({ text: '', file: expect.objectContaining({ as: 'document', fileName: 'logs.zip' }) })]);
    });

    it('reads every file before sending anything: a missing file fails the command, nothing partial goes out', async () => {
      const photo = files.add('a.jpg', 'image/jpeg', jpeg());
      const gone = { ...files.add('gone.pdf', 'application/pdf', randomBytes(10)) };
      files.files.delete(gone.url);
      const result = await send(command('два файли', { attachments: [photo, gone] }));
      expect(result).toMatchObject({ state: 'failed', code: 'invalid_request', message: expect.stringContaining('gone.pdf') });
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(0);
    });

    it('throws when the files service is unavailable (the command is tried again), having sent nothing', async () => {
      const photo = files.add('a.jpg', 'image/jpeg', jpeg());
      files.unavailable = true;
      await expect(send(command('фото', { attachments: [photo] }))).rejects.toThrow('restarting');
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(0);
    });

    it('refuses files over the platform limit before reading them, and classifies Telegram refusing a file', async () => {
      // Declared at 2001 MB: over the 2 GB a user account may upload.
      const huge = { fileId: randomUUID(), url: 'http://files.internal/internal/files/huge', fileName: 'big.zip', mimeType: 'application/zip', sizeBytes: 2001 * 1024 * 1024, bytes: Buffer.alloc(0) };
      expect(await send(command(undefined, { attachments: [huge] }))).toMatchObject({ state: 'failed', code: 'too_large' });
      expect(files.reads).toEqual([]);
      const photo = files.add('a.jpg', 'image/jpeg', jpeg());
      cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('PHOTO_INVALID_DIMENSIONS', 400));
      expect(await send(command('фото', { attachments: [photo] }))).toMatchObject({ state: 'failed', code: 'invalid_request', message: expect.stringContaining('PHOTO_INVALID_DIMENSIONS') });
    });

    it('a retried file command keeps its randomIds, so Telegram drops the duplicate', async () => {
      const photo = files.add('a.jpg', 'image/jpeg', jpeg());
      const cmd = command('раз', { attachments: [photo] });
      expect((await send(cmd)).state).toBe('sent');
      expect(await send(cmd)).toMatchObject({ state: 'failed', code: 'unknown' });
      expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(1);
    });
  });
});
