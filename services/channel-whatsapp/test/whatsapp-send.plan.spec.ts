import { SendMessageRequestedV1 } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { planSends as planOrRefusal, splitText } from '../src';

const command = (extra: Record<string, unknown>) =>
  SendMessageRequestedV1.schema.parse({
    commandId: randomUUID(),
    chatKey: 'c:380501112233',
    connection: { id: randomUUID(), channel: 'whatsapp', displayName: 'Shop' },
    externalChatId: '380501112233',
    requestedAt: new Date().toISOString(),
    ...extra,
  });
const file = (mimeType: string, name: string) => ({ fileId: name, url: `https://files.example.com/${name}`, fileName: name, mimeType, sizeBytes: 10 });

const planSends = (c: ReturnType<typeof command>) => {
  const planned = planOrRefusal(c);
  if (!Array.isArray(planned)) throw new Error(`refused: ${planned.message}`);
  return planned;
};

describe('WhatsApp send plan', () => {
  it('splits text over 4096 characters at a space, into messages the Cloud API accepts', () => {
    const text = `${'слово '.repeat(800)}кінець`;
    const steps = planSends(command({ text }));
    expect(steps.length).toBe(2);
    for (const step of steps) expect(((step.body['text'] as { body: string }).body).length).toBeLessThanOrEqual(4096);
    expect(steps.map((s) => (s.body['text'] as { body: string }).body).join('')).toBe(text);
  });

  it('never cuts an emoji in two when there is no space', () => {
    const parts = splitText('a'.repeat(4095) + '😀' + 'b', 4096);
    expect(parts[0]!.length).toBe(4095);
    expect(parts.join('')).toBe('a'.repeat(4095) + '😀' + 'b');
  });

  it('uploads each file and puts a short text as the caption of the first captionable one; audio takes no caption', () => {
    const steps = planSends(command({ text: 'Ось', attachments: [file('audio/ogg', 'a.ogg'), file('video/mp4', 'v.mp4'), file('application/pdf', 'z.pdf')] }));
    expect(steps.map((s) => s.type)).toEqual(['audio', 'video', 'document']);
    expect(steps.map((s) => s.upload?.fileName)).toEqual(['a.ogg', 'v.mp4', 'z.pdf']);
    expect(steps[0]!.body['audio']).toEqual({});
    expect(steps[1]!.body['video']).toEqual({ caption: 'Ось' });
    expect(steps[2]!.body['document']).toEqual({ filename: 'z.pdf' });
  });

  it("refuses what WhatsApp would before any call: a type it does not take, or an image over 5 MB", () => {
    expect(planOrRefusal(command({ attachments: [file('application/zip', 'z.zip')] }))).toEqual({
      code: 'invalid_request',
      message: '"z.zip" is application/zip, which WhatsApp does not accept',
    });
    expect(planOrRefusal(command({ attachments: [{ ...file('image/jpeg', 'big.jpg'), sizeBytes: 6 * 1024 * 1024 }] }))).toEqual({
      code: 'too_large',
      message: '"big.jpg" is 6 MB; WhatsApp takes image/jpeg files up to 5 MB',
    });
  });

  it('sends a long text first when it cannot be a caption', () => {
    const steps = planSends(command({ text: 'x'.repeat(1025), attachments: [file('image/png', 'p.png')] }));
    expect(steps.map((s) => s.type)).toEqual(['text', 'image']);
    expect(steps[1]!.body['image']).toEqual({});
  });

  it('sends a template alone; its text is only the inbox rendering', () => {
    const steps = planSends(command({ text: 'Hi Ann', template: { name: 'greet', language: 'en_US', bodyParameters: ['Ann'] } }));
    expect(steps).toEqual([
      {
        type: 'template',
        body: {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: '380501112233',
          type: 'template',
          template: { name: 'greet', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ann' }] }] },
        },
      },
    ]);
  });
});
