/**
 * The files service's internal file routes (decision 0036) with service-kit's real InternalFilesClient: the
 * chat service reads an upload's metadata before a send, connectors read its bytes or a signed public link
 * platforms can fetch. Service token only; unknown files answer FILE_NOT_FOUND.
 */
import { InternalFileError, InternalFilesClient, internalFileUrl, type Principal } from '@switchboard/service-kit';
import { integrationSuite } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { FilesHarness, JWT_SECRET } from './support/files-harness';
import { SAMPLES } from './support/sample-files';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const chatId = randomUUID();

integrationSuite(['postgres'], 'files service integration tests')('the files service internal file routes', () => {
  const h = new FilesHarness();
  const client = new InternalFilesClient({ jwtSecret: JWT_SECRET, service: 'channel-test' });

  beforeAll(async () => {
    await h.setUp('files_internal');
    h.chats.addChat(chatId, 7, [olena.employeeId]);
  });
  afterAll(() => h.tearDown());

  it('describes an upload, hands out its bytes and a public link, to services only', async () => {
    const bytes = SAMPLES.pdf();
    const { body } = await h.upload(await h.uploadUrl(olena, chatId), 'Рахунок №5.pdf', bytes);
    const url = internalFileUrl(h.files.url, body.file!.id);

    expect(await client.describe(url)).toEqual({
      fileId: body.file!.id,
      chatId,
      state: 'stored',
      fileName: 'Рахунок №5.pdf',
      mimeType: 'application/pdf',
      kind: 'document',
      sizeBytes: bytes.length,
    });
    const content = await client.content(url, bytes.length);
    expect(content).toMatchObject({ mimeType: 'application/pdf', fileName: 'Рахунок №5.pdf' });
    expect(content.bytes.equals(bytes)).toBe(true);
    await expect(client.content(url, bytes.length - 1)).rejects.toMatchObject({ status: 413, reason: 'FILE_TOO_LARGE' });

    const link = await client.publicLink(url);
    expect(new Date(link.expiresAt).getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    const fetched = await fetch(link.url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(bytes)).toBe(true);

    // No service token: refused.
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}/content`, { headers: { authorization: 'Bearer not-a-token' } })).status).toBe(401);
  });

  it('answers FILE_NOT_FOUND for a file that does not exist', async () => {
    const error = await client.describe(internalFileUrl(h.files.url, randomUUID())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalFileError);
    expect(error).toMatchObject({ status: 404, reason: 'FILE_NOT_FOUND', permanent: true });
  });
});
