/**
 * The files service (issue 7, C10) over HTTP with real access tokens, on PostgreSQL with the log bus and
 * disk storage: upload links only for visible chats, the size limit, types sniffed from content (disguised
 * and forbidden files refused), downloads only through short-lived links given to employees who may see the
 * chat, customers' media fetched from the connector when chat.message-added arrives, deleted chats' files removed.
 */
import { ChatCreatedV1, ChatDeletedV1, ChatMessageAddedV1, createEnvelope } from '@switchboard/contracts';
import type { Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { createHash, randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { FilesHarness, FILE_FIELDS, type FileNode } from './support/files-harness';
import { SAMPLES } from './support/sample-files';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const ivan: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan Nobody' };
const olenasChat = randomUUID();
const MAX_BYTES = 64 * 1024;
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

integrationSuite(['postgres'], 'files service integration tests')('the files service (PostgreSQL, log bus, disk)', () => {
  const h = new FilesHarness();

  beforeAll(async () => {
    await h.setUp('files_svc', { FILES_MAX_BYTES: String(MAX_BYTES) });
    h.chats.addChat(olenasChat, 41, [olena.employeeId]);
  });
  afterAll(() => h.tearDown());

  it('stores an upload with the type sniffed from its content and serves it back through a download link', async () => {
    const bytes = SAMPLES.jpeg();
    const { status, body } = await h.upload(await h.uploadUrl(olena, olenasChat), 'Фото квартири.jpg', bytes);
    expect(status).toBe(201);
    expect(body.file).toMatchObject({ chatId: olenasChat, origin: 'UPLOAD', state: 'STORED', fileName: 'Фото квартири.jpg', mimeType: 'image/jpeg', kind: 'image', sizeBytes: bytes.length, sha256: sha(bytes) });

    const listed = await h.chatFiles(olena, olenasChat);
    const node = listed.data!._entities[0]!.files.edges.map((e) => e.node).find((f) => f.id === body.file!.id)!;
    expect(node.downloadUrl).toBeTruthy();
    const download = await fetch(node.downloadUrl!);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/jpeg');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('Фото квартири.jpg')}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    // The bytes are on disk under the storage key, not under the client's name.
    expect((await readdir(h.filesDir, { recursive: true })).some((p) => p.endsWith(body.file!.id))).toBe(true);
  });

  it('accepts each supported type by its content, whatever the Content-Type, and names .docx inside zip', async () => {
    const cases: [string, Buffer, string][] = [
      ['scan.pdf', SAMPLES.pdf(), 'application/pdf'],
      ['logo.png', SAMPLES.png(), 'image/png'],
      ['anim.gif', SAMPLES.gif(), 'image/gif'],
      ['sticker.webp', SAMPLES.webp(), 'image/webp'],
      ['clip.mp4', SAMPLES.mp4(), 'video/mp4'],
      ['voice.ogg', SAMPLES.ogg(), 'audio/ogg'],
      ['song.mp3', SAMPLES.mp3(), 'audio/mpeg'],
      ['contract.docx', SAMPLES.docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['archive.zip', SAMPLES.zip(), 'application/zip'],
      ['рахунок.txt', SAMPLES.text(), 'text/plain'],
      ['no-extension', SAMPLES.pdf(), 'application/pdf'],
    ];
    for (const [name, bytes, mimeType] of cases) {
      const { status, body } = await h.upload(await h.uploadUrl(olena, olenasChat), name, bytes);
      expect({ name, status, mimeType: body.file?.mimeType }).toEqual({ name, status: 201, mimeType });
    }
  });

  it('refuses disguised, forbidden, unknown, empty and over-size files with a clear reason, storing nothing', async () => {
    const before = await h.query<{ n: string }>(`SELECT count(*) AS n FROM files.files`);
    const url = await h.uploadUrl(olena, olenasChat);
    const refused = async (name: string, bytes: Buffer) => {
      const { status, body } = await h.upload(url, name, bytes);
      return { status, reason: body.error?.reason, message: body.error?.message };
    };
    const pdfAsJpg = await refused('photo.jpg', SAMPLES.pdf());
    expect(pdfAsJpg).toMatchObject({ status: 415, reason: 'FILE_TYPE_MISMATCH' });
    expect(pdfAsJpg.message).toContain('application/pdf');
    expect(await refused('photo.jpg', SAMPLES.exe())).toMatchObject({ status: 415, reason: 'FILE_TYPE_FORBIDDEN' });
    expect(await refused('invoice.pdf', SAMPLES.exe())).toMatchObject({ status: 415, reason: 'FILE_TYPE_FORBIDDEN' });
    expect(await refused('report.docx', SAMPLES.zip())).toMatchObject({ status: 415, reason: 'FILE_TYPE_MISMATCH' });
    expect(await refused('data.bin', SAMPLES.unknownBinary())).toMatchObject({ status: 415, reason: 'FILE_TYPE_UNKNOWN' });
    expect(await refused('empty.txt', Buffer.alloc(0))).toMatchObject({ status: 400, reason: 'FILE_EMPTY' });
    expect(await refused('../../', SAMPLES.pdf())).toMatchObject({ status: 400, reason: 'FILE_NAME_INVALID' });
    const big = Buffer.concat([SAMPLES.pdf(), Buffer.alloc(MAX_BYTES)]);
    const tooBig = await refused('big.pdf', big);
    expect(tooBig).toMatchObject({ status: 413, reason: 'FILE_TOO_LARGE' });
    expect(tooBig.message).toContain('64 KB');

    // Without Content-Length (chunked), the limit is enforced while reading.
    const target = new URL(url);
    target.searchParams.set('name', 'stream.pdf');
    const chunked = await fetch(target, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(SAMPLES.pdf()));
          for (let i = 0; i < 5; i += 1) controller.enqueue(new Uint8Array(MAX_BYTES / 4));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(((await chunked.json()) as { error: { reason: string } }).error.reason).toBe('FILE_TOO_LARGE');

    expect(await h.query<{ n: string }>(`SELECT count(*) AS n FROM files.files`)).toEqual(before);
  });

  it('lets only employees who may see the chat upload, list or download its files', async () => {
    const refusedUpload = await h.gql(ivan, `mutation($c: ID!) { createFileUpload(chatId: $c) { uploadUrl } }`, { c: olenasChat });
    expect(refusedUpload.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const listed = await h.chatFiles(ivan, olenasChat);
    expect(listed.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const { body } = await h.upload(await h.uploadUrl(olena, olenasChat), 'private.pdf', SAMPLES.pdf());
    const fileId = body.file!.id;
    expect(await h.ok(ivan, `query($id: ID!) { file(id: $id) { id downloadUrl } }`, { id: fileId })).toEqual({ file: null });
    const asOlena = await h.ok<{ file: FileNode }>(olena, `query($id: ID!) { file(id: $id) { ${FILE_FIELDS} } }`, { id: fileId });
    expect(asOlena.file.downloadUrl).toBeTruthy();

    // A link for one file does not open another, a tampered or garbage token is refused.
    const other = (await h.upload(await h.uploadUrl(olena, olenasChat), 'other.pdf', SAMPLES.pdf())).body.file!;
    const swapped = asOlena.file.downloadUrl!.replace(fileId, other.id);
    expect((await fetch(swapped)).status).toBe(403);
    const tampered = new URL(asOlena.file.downloadUrl!);
    tampered.searchParams.set('token', `${tampered.searchParams.get('token')!.slice(0, -2)}xx`);
    expect((await fetch(tampered)).status).toBe(403);
    const wrongPurpose = new URL(asOlena.file.downloadUrl!);
    wrongPurpose.searchParams.set('token', new URL(await h.uploadUrl(olena, olenasChat)).searchParams.get('token')!);
    expect((await fetch(wrongPurpose)).status).toBe(403);

    // An upload link stops working when its holder can no longer see the chat.
    const url = await h.uploadUrl(olena, olenasChat);
    h.chats.addChat(olenasChat, 41, []);
    try {
      const late = await h.upload(url, 'late.pdf', SAMPLES.pdf());
      expect({ status: late.status, reason: late.body.error?.reason }).toEqual({ status: 404, reason: 'CHAT_NOT_FOUND' });
    } finally {
      h.chats.addChat(olenasChat, 41, [olena.employeeId]);
    }
  });

  it('expires download links', async () => {
    const { body } = await h.upload(await h.uploadUrl(olena, olenasChat), 'soon.pdf', SAMPLES.pdf());
    const url = new URL(body.file!.downloadUrl!);
    const [payload] = url.searchParams.get('token')!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { exp: number };
    expect(claims.exp * 1000 - Date.now()).toBeLessThanOrEqual(300_000);
    expect(new Date(body.file!.downloadUrlExpiresAt!).getTime()).toBe(claims.exp * 1000);
  });

  describe('customer media from channels', () => {
    const chatId = randomUUID();
    const connectionId = randomUUID();
    const origin = { producer: 'chat', key: chatId };

    beforeAll(async () => {
      h.chats.addChat(chatId, 42, [olena.employeeId]);
      await h.publishChatEvents([
        createEnvelope(
          ChatCreatedV1,
          { chatId, chatNumber: 42, channel: 'telegram', connectionId, customer: { customerId: randomUUID(), displayName: 'Марія' }, status: 'new', createdAt: new Date().toISOString() },
          origin,
        ),
      ]);
    });

    const messageAdded = (messageId: string, attachments: { kind: 'image' | 'document'; platformFileId?: string; fileName?: string; mimeType?: string }[]) =>
      createEnvelope(
        ChatMessageAddedV1,
        { chatId, chatNumber: 42, unanswered: true, message: { messageId, direction: 'inbound', attachments, sentAt: new Date().toISOString() } },
        origin,
      );

    const filesOf = async (messageId: string) =>
      (await h.chatFiles(olena, chatId)).data!._entities[0]!.files.edges.map((e) => e.node).filter((f) => f.messageId === messageId).sort((a, b) => a.attachmentIndex! - b.attachmentIndex!);

    it('fetches each attachment from the connector once, stores it, and serves it to the operator', async () => {
      const photo = SAMPLES.jpeg();
      const pdf = SAMPLES.pdf();
      h.connector.add(connectionId, 'AgAC-photo-1', { bytes: photo, mimeType: 'image/jpeg' });
      h.connector.add(connectionId, 'BQAC-doc-1', { bytes: pdf, mimeType: 'application/octet-stream', fileName: 'Договір.pdf' });
      const messageId = randomUUID();
      const event = messageAdded(messageId, [
        { kind: 'image', platformFileId: 'AgAC-photo-1' },
        { kind: 'document', platformFileId: 'BQAC-doc-1', fileName: 'Договір.pdf' },
        { kind: 'document', platformFileId: 'gone-file' },
      ]);
      await h.publishChatEvents([event]);
      const stored = await waitFor(async () => {
        const files = await filesOf(messageId);
        return files.length === 3 && files.every((f) => f.state !== 'PENDING') ? files : undefined;
      });
      expect(stored.map((f) => [f.origin, f.attachmentIndex, f.state, f.kind, f.mimeType])).toEqual([
        ['CHANNEL', 0, 'STORED', 'image', 'image/jpeg'],
        // The platform's label (octet-stream) loses to the sniffed content.
        ['CHANNEL', 1, 'STORED', 'document', 'application/pdf'],
        ['CHANNEL', 2, 'FAILED', 'document', null],
      ]);
      expect(stored[2]!.failure).toContain('MEDIA_GONE');
      expect(stored[1]!.fileName).toBe('Договір.pdf');
      expect(Buffer.from(await (await fetch(stored[0]!.downloadUrl!)).arrayBuffer()).equals(photo)).toBe(true);
      expect(Buffer.from(await (await fetch(stored[1]!.downloadUrl!)).arrayBuffer()).equals(pdf)).toBe(true);

      // Redelivered: nothing fetched or stored again.
      const fetches = h.connector.requests.length;
      await h.publishChatEvents([event]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.connector.requests.length).toBe(fetches);
      expect(await h.query(`SELECT count(*)::int AS n FROM files.files WHERE message_id = $1`, [messageId])).toEqual([{ n: 3 }]);

      // Another operator may not list them.
      expect((await h.chatFiles(ivan, chatId)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });

    it('retries while the connector is down and stores the file once it is back', async () => {
      h.connector.add(connectionId, 'AgAC-photo-2', { bytes: SAMPLES.png(), mimeType: 'image/png' });
      h.connector.failWith = 503;
      const messageId = randomUUID();
      await h.publishChatEvents([messageAdded(messageId, [{ kind: 'image', platformFileId: 'AgAC-photo-2' }])]);
      await waitFor(async () => (h.connector.requests.some((r) => r.platformFileId === 'AgAC-photo-2') ? true : undefined));
      h.connector.failWith = undefined;
      const [file] = await waitFor(async () => {
        const files = await filesOf(messageId);
        return files[0]?.state === 'STORED' ? files : undefined;
      }, { timeoutMs: 20_000 });
      expect(file!.mimeType).toBe('image/png');
    });

    it("removes a deleted chat's files and their bytes", async () => {
      const keys = await h.query<{ storage_key: string }>(`SELECT storage_key FROM files.files WHERE chat_id = $1 AND storage_key IS NOT NULL`, [chatId]);
      expect(keys.length).toBeGreaterThan(0);
      await h.publishChatEvents([
        createEnvelope(ChatDeletedV1, { chatId, chatNumber: 42, connectionId, byEmployeeId: olena.employeeId, at: new Date().toISOString() }, origin),
      ]);
      await waitFor(async () => ((await h.query(`SELECT 1 FROM files.files WHERE chat_id = $1`, [chatId])).length === 0 ? true : undefined));
      // Rows go first, bytes right after (a crash between leaves orphan bytes, never rows without bytes).
      const stillOnDisk = async () => {
        const onDisk = await readdir(h.filesDir, { recursive: true });
        return keys.filter(({ storage_key }) => onDisk.some((p) => p.endsWith(storage_key.split('/')[1]!)));
      };
      await waitFor(async () => ((await stillOnDisk()).length === 0 ? true : undefined), { timeoutMs: 10_000, description: "the deleted chat's bytes removed" });
      expect(await stillOnDisk()).toEqual([]);
    });
  });
});
