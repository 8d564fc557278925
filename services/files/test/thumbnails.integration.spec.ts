/**
 * Thumbnails (decision 0025, amended): an image stored by the files service gets a WebP preview of at most
 * 320 px a side, reachable through File.thumbnailUrl (signed like downloadUrl); files that are not images, or
 * whose image cannot be decoded, are stored without one; a deleted chat's thumbnails go with its files.
 */
import { ChatDeletedV1, createEnvelope } from '@switchboard/contracts';
import type { Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import sharp from 'sharp';
import { FilesHarness } from './support/files-harness';
import { SAMPLES } from './support/sample-files';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const chatId = randomUUID();
const FIELDS = 'id state mimeType downloadUrl downloadUrlExpiresAt thumbnailUrl';
type Node = { id: string; state: string; mimeType: string; downloadUrl: string | null; downloadUrlExpiresAt: string | null; thumbnailUrl: string | null };

integrationSuite(['postgres'], 'files thumbnails integration tests')('thumbnails in the files service', () => {
  const h = new FilesHarness();

  beforeAll(async () => {
    await h.setUp('files_thumbs');
    h.chats.addChat(chatId, 51, [olena.employeeId]);
  });
  afterAll(() => h.tearDown());

  async function uploaded(name: string, bytes: Buffer): Promise<Node> {
    const { status, body } = await h.upload(await h.uploadUrl(olena, chatId), name, bytes);
    expect(status).toBe(201);
    return (await h.ok<{ file: Node }>(olena, `query($id: ID!) { file(id: $id) { ${FIELDS} } }`, { id: body.file!.id })).file;
  }

  it('makes a WebP of at most 320 px for a photo, served through thumbnailUrl', async () => {
    // A portrait photo recorded landscape with EXIF orientation 6 (rotate 90°): the preview must stand upright.
    const photo = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: { r: 20, g: 120, b: 200 } } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const file = await uploaded('Фото.jpg', photo);
    expect(file).toMatchObject({ state: 'STORED', mimeType: 'image/jpeg' });
    expect(file.thumbnailUrl).toMatch(/\/files\/[0-9a-f-]{36}\/thumbnail\?token=/);
    const response = await fetch(file.thumbnailUrl!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const meta = await sharp(Buffer.from(await response.arrayBuffer())).metadata();
    expect({ format: meta.format, width: meta.width, height: meta.height }).toEqual({ format: 'webp', width: 200, height: 320 });
    // The original is untouched.
    expect(Buffer.from(await (await fetch(file.downloadUrl!)).arrayBuffer()).equals(photo)).toBe(true);
  });

  it('keeps small images at their size and gives PNGs a preview too', async () => {
    const icon = await sharp({ create: { width: 48, height: 32, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0.5 } } }).png().toBuffer();
    const file = await uploaded('icon.png', icon);
    const meta = await sharp(Buffer.from(await (await fetch(file.thumbnailUrl!)).arrayBuffer())).metadata();
    expect({ width: meta.width, height: meta.height }).toEqual({ width: 48, height: 32 });
  });

  it('stores documents and undecodable images without a thumbnail', async () => {
    expect(await uploaded('scan.pdf', SAMPLES.pdf())).toMatchObject({ state: 'STORED', thumbnailUrl: null });
    // Right magic bytes, no image behind them: stored as sent, no preview.
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0'), Buffer.alloc(2_000, 7)]);
    const file = await uploaded('broken.jpg', broken);
    expect(file).toMatchObject({ state: 'STORED', mimeType: 'image/jpeg', thumbnailUrl: null });
    expect(Buffer.from(await (await fetch(file.downloadUrl!)).arrayBuffer()).equals(broken)).toBe(true);
  });

  it("refuses a thumbnail link whose token is another file's, and removes thumbnails with a deleted chat", async () => {
    const first = await uploaded('a.png', await sharp({ create: { width: 400, height: 400, channels: 3, background: '#ff0000' } }).png().toBuffer());
    const second = await uploaded('b.png', await sharp({ create: { width: 400, height: 400, channels: 3, background: '#00ff00' } }).png().toBuffer());
    const swapped = new URL(first.thumbnailUrl!);
    swapped.searchParams.set('token', new URL(second.thumbnailUrl!).searchParams.get('token')!);
    expect((await fetch(swapped)).status).toBe(403);

    const thumbnails = async () => (await readdir(h.filesDir, { recursive: true })).filter((p) => p.endsWith('.thumb'));
    expect((await thumbnails()).length).toBeGreaterThanOrEqual(3);
    await h.publishChatEvents([
      createEnvelope(ChatDeletedV1, { chatId, chatNumber: 51, connectionId: randomUUID(), byEmployeeId: olena.employeeId, at: new Date().toISOString() }, { producer: 'chat', key: chatId }),
    ]);
    await waitFor(async () => ((await h.query(`SELECT 1 FROM files.files WHERE chat_id = $1`, [chatId])).length === 0 ? true : undefined));
    await waitFor(async () => ((await thumbnails()).length === 0 ? true : undefined), { description: 'the thumbnails to be removed' });
  });
});
