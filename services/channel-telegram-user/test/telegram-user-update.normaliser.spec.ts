import { Api } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { planUpdate, type TlUpdate } from '../src';

/** Real GramJS update objects, as the adapter hands them on (the port's TL shapes). */
const SELF = '5081234567';
const CUSTOMER = '6011223344';
const peer = (id: string) => new Api.PeerUser({ userId: returnBigInt(id) });
const message = (fields: Partial<ConstructorParameters<typeof Api.Message>[0]> = {}) =>
  new Api.Message({ id: 42, peerId: peer(CUSTOMER), date: 1_760_000_000, message: 'Привіт', ...fields });
const plan = (update: unknown) => planUpdate(update as TlUpdate, SELF);

describe('planUpdate', () => {
  it('maps a new private message with its time, reply and album', () => {
    const result = plan(
      new Api.UpdateNewMessage({
        message: message({ replyTo: new Api.MessageReplyHeader({ replyToMsgId: 40 }), groupedId: returnBigInt('13957400012') }),
        pts: 1,
        ptsCount: 1,
      }),
    );
    expect(result).toEqual({
      kind: 'message',
      message: {
        direction: 'in',
        peerUserId: CUSTOMER,
        messageId: 42,
        date: new Date(1_760_000_000_000),
        content: { text: 'Привіт', attachments: [] },
        replyToMessageId: 40,
        mediaGroupId: '13957400012',
      },
    });
  });

  it('keeps media metadata: documents by their attributes, locations, contacts, and a placeholder for the rest', () => {
    const document = (attributes: Api.TypeDocumentAttribute[], mimeType = 'video/mp4') =>
      new Api.MessageMediaDocument({
        document: new Api.Document({
          id: returnBigInt('77'),
          accessHash: returnBigInt(1),
          fileReference: Buffer.alloc(0),
          date: 1,
          mimeType,
          size: returnBigInt(2048),
          dcId: 2,
          attributes,
        }),
      });
    const contentOf = (media: Api.TypeMessageMedia) => {
      const result = plan(new Api.UpdateNewMessage({ message: message({ message: '', media }), pts: 1, ptsCount: 1 }));
      if (result.kind !== 'message') throw new Error(result.kind);
      return result.message.content;
    };
    expect(contentOf(document([new Api.DocumentAttributeVideo({ roundMessage: true, duration: 5, w: 240, h: 240 })])).attachments[0]).toMatchObject({
      kind: 'video_note',
      width: 240,
      durationSeconds: 5,
    });
    expect(contentOf(document([new Api.DocumentAttributeFilename({ fileName: 'рахунок.pdf' })], 'application/pdf')).attachments[0]).toEqual({
      kind: 'document',
      platformFileId: 'document:77@42',
      mimeType: 'application/pdf',
      fileName: 'рахунок.pdf',
      sizeBytes: 2048,
    });
    expect(contentOf(document([new Api.DocumentAttributeSticker({ alt: '👍', stickerset: new Api.InputStickerSetEmpty() })], 'image/webp')).attachments[0]?.kind).toBe('sticker');
    expect(contentOf(new Api.MessageMediaGeo({ geo: new Api.GeoPoint({ lat: 49.84, long: 24.03, accessHash: returnBigInt(0) }) }))).toEqual({
      attachments: [],
      location: { latitude: 49.84, longitude: 24.03 },
    });
    expect(contentOf(new Api.MessageMediaContact({ phoneNumber: '380501234567', firstName: 'Іван', lastName: '', vcard: '', userId: returnBigInt(0) }))).toEqual({
      attachments: [],
      contact: { phone: '380501234567', firstName: 'Іван' },
    });
    expect(contentOf(new Api.MessageMediaDice({ value: 6, emoticon: '🎲' }))).toEqual({ attachments: [], placeholder: '[dice]', raw: { media: 'MessageMediaDice' } });
  });

  it('maps edits with their edit date, deletes by id, read receipts and typing', () => {
    expect(plan(new Api.UpdateEditMessage({ message: message({ message: 'Виправлено', editDate: 1_760_000_100 }), pts: 2, ptsCount: 1 }))).toMatchObject({
      kind: 'edit',
      editDate: 1_760_000_100,
      editedAt: new Date(1_760_000_100_000),
      message: { messageId: 42, content: { text: 'Виправлено' } },
    });
    expect(plan(new Api.UpdateDeleteMessages({ messages: [42, 43], pts: 3, ptsCount: 2 }))).toEqual({ kind: 'delete', messageIds: [42, 43] });
    expect(plan(new Api.UpdateReadHistoryOutbox({ peer: peer(CUSTOMER), maxId: 50, pts: 4, ptsCount: 1 }))).toEqual({ kind: 'read', peerUserId: CUSTOMER, maxId: 50 });
    expect(plan(new Api.UpdateUserTyping({ userId: returnBigInt(CUSTOMER), action: new Api.SendMessageRecordAudioAction() }))).toEqual({
      kind: 'typing',
      peerUserId: CUSTOMER,
      action: 'recording_voice',
    });
  });

  it('ignores groups, channels, Saved Messages, Telegram service notices and service messages', () => {
    const kinds = [
      new Api.UpdateNewMessage({ message: message({ peerId: new Api.PeerChat({ chatId: returnBigInt(5) }) }), pts: 1, ptsCount: 1 }),
      new Api.UpdateNewMessage({ message: message({ peerId: peer(SELF) }), pts: 1, ptsCount: 1 }),
      new Api.UpdateNewMessage({ message: message({ peerId: peer('777000'), message: 'Login code: 12345' }), pts: 1, ptsCount: 1 }),
      new Api.UpdateNewMessage({
        message: new Api.MessageService({ id: 9, peerId: peer(CUSTOMER), date: 1, action: new Api.MessageActionScreenshotTaken() }),
        pts: 1,
        ptsCount: 1,
      }),
      new Api.UpdateReadHistoryOutbox({ peer: new Api.PeerChannel({ channelId: returnBigInt(9) }), maxId: 1, pts: 1, ptsCount: 1 }),
    ].map((update) => plan(update).kind);
    expect(kinds).toEqual(['ignored', 'ignored', 'ignored', 'ignored', 'ignored']);
  });
});
