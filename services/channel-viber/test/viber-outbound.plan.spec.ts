import { SendMessageRequestedV1, createEnvelope } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { planViberMessages, statusMeaning, viberMediaRefusal, VIBER_STATUS } from '../src';

function command(text: string | undefined, attachments: Array<{ mimeType: string; sizeBytes: number; fileName?: string }> = []) {
  return createEnvelope(
    SendMessageRequestedV1,
    {
      commandId: randomUUID(),
      chatKey: 'c:u',
      connection: { id: randomUUID(), channel: 'viber', displayName: 'Bot' },
      externalChatId: 'u',
      ...(text !== undefined ? { text } : {}),
      attachments: attachments.map((a, i) => ({ fileId: randomUUID(), url: `https://files.example.com/${i}`, fileName: a.fileName ?? `f${i}`, ...a })),
      requestedAt: new Date().toISOString(),
    },
    { producer: 'test', key: 'c:u' },
  ).data;
}

/** The public links the consumer asked the files service for, one per attachment. */
const plan = (c: ReturnType<typeof command>) => planViberMessages(c, c.attachments.map((a) => a.url));

describe('planViberMessages', () => {
  it('splits text longer than 7000 characters', () => {
    const parts = plan(command('a'.repeat(7000) + 'b'.repeat(10)));
    expect(parts).toEqual([{ type: 'text', text: 'a'.repeat(7000) }, { type: 'text', text: 'b'.repeat(10) }]);
  });

  it('sends small JPEG/PNG/GIF as pictures with a short text as description, the rest as files', () => {
    expect(plan(command('look', [{ mimeType: 'image/png', sizeBytes: 1000 }, { mimeType: 'image/png', sizeBytes: 2_000_000, fileName: 'big.png' }]))).toEqual([
      { type: 'picture', media: 'https://files.example.com/0', text: 'look' },
      { type: 'file', media: 'https://files.example.com/1', size: 2_000_000, file_name: 'big.png' },
    ]);
    expect(plan(command('x'.repeat(800), [{ mimeType: 'image/jpeg', sizeBytes: 10 }]))).toEqual([
      { type: 'text', text: 'x'.repeat(800) },
      { type: 'picture', media: 'https://files.example.com/0' },
    ]);
  });

  it('sends MP4 as video and refuses what Viber would: over 50 MB, or video over 26 MB not sent as a file', () => {
    expect(plan(command(undefined, [{ mimeType: 'video/mp4', sizeBytes: 5_000_000 }]))).toEqual([{ type: 'video', media: 'https://files.example.com/0', size: 5_000_000 }]);
    expect(plan(command(undefined, [{ mimeType: 'video/mp4', sizeBytes: 30 * 1024 * 1024, fileName: 'long.mp4' }]))).toEqual([
      { type: 'file', media: 'https://files.example.com/0', size: 30 * 1024 * 1024, file_name: 'long.mp4' },
    ]);
    expect(viberMediaRefusal(command('x', [{ mimeType: 'application/pdf', sizeBytes: 51 * 1024 * 1024, fileName: 'huge.pdf' }]))).toEqual({
      code: 'too_large',
      message: '"huge.pdf" is 51 MB; Viber takes application/pdf files up to 50 MB',
    });
    expect(viberMediaRefusal(command('x', [{ mimeType: 'image/png', sizeBytes: 10 }]))).toBeUndefined();
  });

  it('plans nothing for a blank command', () => {
    expect(plan(command('  '))).toEqual([]);
  });
});

describe('statusMeaning', () => {
  it('maps Viber statuses to failure codes, retries and broken connections', () => {
    expect(statusMeaning(VIBER_STATUS.notSubscribed)).toMatchObject({ code: 'not_subscribed', retryable: false, connectionBroken: false });
    expect(statusMeaning(VIBER_STATUS.receiverNoSuitableDevice).code).toBe('blocked');
    expect(statusMeaning(VIBER_STATUS.tooManyRequests)).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(statusMeaning(VIBER_STATUS.invalidAuthToken)).toMatchObject({ code: 'unauthorized', connectionBroken: true });
    expect(statusMeaning(VIBER_STATUS.webhookNotSet)).toMatchObject({ connectionBroken: true });
    expect(statusMeaning(999)).toMatchObject({ code: 'platform_error', retryable: false });
  });
});
