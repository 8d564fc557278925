import { CHANNEL_KINDS, MEDIA_REFUSALS, OUTBOUND_MEDIA_POLICIES, outboundMediaDecision, outboundMediaRefusal } from '../src';

const MB = 1024 * 1024;

describe('outbound media limits', () => {
  it('has a policy (or an explicit "no files") for every channel', () => {
    for (const channel of CHANNEL_KINDS) expect(OUTBOUND_MEDIA_POLICIES[channel]).not.toBeUndefined();
  });

  it('chooses the platform’s way to send a file, falling back to a document when the special way is too small', () => {
    expect(outboundMediaDecision('telegram', { mimeType: 'image/jpeg', sizeBytes: 9 * MB })).toEqual({ ok: true, sendAs: 'sendPhoto' });
    expect(outboundMediaDecision('telegram', { mimeType: 'IMAGE/JPEG', sizeBytes: 11 * MB })).toEqual({ ok: true, sendAs: 'sendDocument' });
    expect(outboundMediaDecision('viber', { mimeType: 'image/png', sizeBytes: MB })).toEqual({ ok: true, sendAs: 'picture' });
    expect(outboundMediaDecision('viber', { mimeType: 'image/png', sizeBytes: MB + 1 })).toEqual({ ok: true, sendAs: 'file' });
    expect(outboundMediaDecision('whatsapp', { mimeType: 'audio/ogg', sizeBytes: MB })).toEqual({ ok: true, sendAs: 'audio' });
    expect(outboundMediaDecision('instagram', { mimeType: 'application/pdf', sizeBytes: MB })).toEqual({ ok: true, sendAs: 'file' });
  });

  it('refuses at the edges with the reason and a readable message', () => {
    expect(outboundMediaDecision('whatsapp', { mimeType: 'image/jpeg', sizeBytes: 5 * MB })).toMatchObject({ ok: true });
    expect(outboundMediaDecision('whatsapp', { mimeType: 'image/jpeg', sizeBytes: 5 * MB + 1, fileName: 'a.jpg' })).toEqual({
      ok: false,
      reason: MEDIA_REFUSALS.tooLarge,
      message: '"a.jpg" is 5.0 MB; WhatsApp takes image/jpeg files up to 5 MB',
    });
    expect(outboundMediaDecision('whatsapp', { mimeType: 'image/webp', sizeBytes: 10 })).toMatchObject({ ok: false, reason: MEDIA_REFUSALS.typeNotAllowed });
    expect(outboundMediaDecision('messenger', { mimeType: 'application/zip', sizeBytes: 25 * MB + 1 })).toMatchObject({ ok: false, reason: MEDIA_REFUSALS.tooLarge });
    expect(outboundMediaDecision('instagram-comments', { mimeType: 'image/png', sizeBytes: 10 })).toEqual({
      ok: false,
      reason: MEDIA_REFUSALS.notSupported,
      message: 'An Instagram comment reply cannot carry files from here; send text only',
    });
  });

  it('lets a Facebook comment reply carry one JPEG/PNG/GIF photo up to 4 MB, and nothing else', () => {
    expect(outboundMediaDecision('facebook-comments', { mimeType: 'image/png', sizeBytes: 4 * MB })).toEqual({ ok: true, sendAs: 'attachment_url' });
    expect(outboundMediaDecision('facebook-comments', { mimeType: 'image/gif', sizeBytes: 10 })).toEqual({ ok: true, sendAs: 'attachment_url' });
    expect(outboundMediaDecision('facebook-comments', { mimeType: 'image/jpeg', sizeBytes: 4 * MB + 1, fileName: 'big.jpg' })).toEqual({
      ok: false,
      reason: MEDIA_REFUSALS.tooLarge,
      message: '"big.jpg" is 4.0 MB; a Facebook comment reply takes image/jpeg files up to 4 MB',
    });
    expect(outboundMediaDecision('facebook-comments', { mimeType: 'application/pdf', sizeBytes: 10, fileName: 'a.pdf' })).toEqual({
      ok: false,
      reason: MEDIA_REFUSALS.typeNotAllowed,
      message: '"a.pdf" is application/pdf, which a Facebook comment reply does not accept',
    });
    const png = { mimeType: 'image/png', sizeBytes: 10 };
    expect(outboundMediaRefusal('facebook-comments', [png])).toBeUndefined();
    expect(outboundMediaRefusal('facebook-comments', [png, png])).toEqual({ reason: MEDIA_REFUSALS.tooMany, message: 'A Facebook comment reply carries at most one file' });
  });

  it('checks a whole message: the number of files, then each file', () => {
    const png = { mimeType: 'image/png', sizeBytes: 10 };
    expect(outboundMediaRefusal('telegram', [])).toBeUndefined();
    expect(outboundMediaRefusal('telegram', Array(10).fill(png))).toBeUndefined();
    expect(outboundMediaRefusal('telegram', Array(11).fill(png))).toMatchObject({ reason: MEDIA_REFUSALS.tooMany });
    expect(outboundMediaRefusal('whatsapp', [png, { mimeType: 'application/zip', sizeBytes: 10, fileName: 'z.zip' }])).toEqual({
      reason: MEDIA_REFUSALS.typeNotAllowed,
      message: '"z.zip" is application/zip, which WhatsApp does not accept',
    });
  });
});
