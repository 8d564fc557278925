import {
  MessageEditedV1,
  MessageReceivedV1,
  ReactionChangedV1,
  TOPICS,
  UnrecognisedPayloadV1,
  parseEvent,
  type ConnectionRef,
  type Envelope,
} from '@switchboard/contracts';
import { normaliseTelegramUpdate, type NormalisedUpdate } from '../src/telegram-update.normaliser';
import type { TgUpdate } from '../src/telegram-update.schema';

const connection: ConnectionRef = { id: '0b6f5c8e-3f1d-4b8a-9a51-7d2f3c4e5a61', channel: 'telegram', displayName: '@shop_bot' };
const from = { id: 7001, is_bot: false, first_name: 'Оксана', last_name: 'Коваль', username: 'oksana_k', language_code: 'uk' };
const chat = { id: 7001, type: 'private', first_name: 'Оксана', last_name: 'Коваль', username: 'oksana_k' };
const DATE = 1_760_000_000;

function message(fields: Record<string, unknown>): Record<string, unknown> {
  return { message_id: 42, from, chat, date: DATE, ...fields };
}

function normalise(update: Record<string, unknown>): NormalisedUpdate {
  return normaliseTelegramUpdate({ update: { update_id: 900, ...update } as TgUpdate, connection });
}

function received(update: Record<string, unknown>) {
  const result = normalise(update);
  expect(result.outcome).toBe('event');
  expect(result.topic).toBe(TOPICS.inbound);
  return parseEvent(MessageReceivedV1, result.envelope as Envelope);
}

describe('normaliseTelegramUpdate', () => {
  it('turns a text message into MessageReceivedV1 with customer, chat key and platform time', () => {
    const event = received({ message: message({ text: 'Де моє замовлення?' }) });
    expect(event.producer).toBe('channel-telegram');
    expect(event.key).toBe(`${connection.id}:7001`);
    expect(event.data).toEqual({
      connection,
      chatKey: `${connection.id}:7001`,
      externalChatId: '7001',
      occurredAt: new Date(DATE * 1000).toISOString(),
      platformMessageId: '42',
      customer: {
        externalId: '7001',
        displayName: 'Оксана Коваль',
        username: 'oksana_k',
        languageCode: 'uk',
        profileUrl: 'https://t.me/oksana_k',
      },
      content: { text: 'Де моє замовлення?', attachments: [] },
    });
  });

  it('omits username and profile URL when the customer has none', () => {
    const event = received({ message: message({ from: { id: 7001, is_bot: false, first_name: 'Taras' }, text: 'hi' }) });
    expect(event.data.customer).toEqual({ externalId: '7001', displayName: 'Taras' });
  });

  it('keeps the replied-to message id and the album group', () => {
    const event = received({
      message: message({ text: 'this one', reply_to_message: { message_id: 40, chat, date: DATE }, media_group_id: '1357' }),
    });
    expect(event.data.replyToPlatformMessageId).toBe('40');
    expect(event.data.mediaGroupId).toBe('1357');
  });

  it('takes the largest photo size and the caption as text', () => {
    const event = received({
      message: message({
        caption: 'receipt',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 68, file_size: 1000 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 960, file_size: 48000 },
        ],
      }),
    });
    expect(event.data.content.text).toBe('receipt');
    expect(event.data.content.attachments).toEqual([
      { kind: 'image', platformFileId: 'large', mimeType: 'image/jpeg', sizeBytes: 48000, width: 1280, height: 960 },
    ]);
  });

  it.each([
    [
      'document',
      { file_id: 'doc', file_unique_id: 'd', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 2048 },
      { kind: 'document', platformFileId: 'doc', fileName: 'invoice.pdf', mimeType: 'application/pdf', sizeBytes: 2048 },
    ],
    [
      'voice',
      { file_id: 'v', file_unique_id: 'v', duration: 3, mime_type: 'audio/ogg', file_size: 5000 },
      { kind: 'voice', platformFileId: 'v', mimeType: 'audio/ogg', sizeBytes: 5000, durationSeconds: 3 },
    ],
    [
      'audio',
      { file_id: 'a', file_unique_id: 'a', duration: 180, mime_type: 'audio/mpeg', file_name: 'song.mp3', file_size: 9000 },
      { kind: 'audio', platformFileId: 'a', mimeType: 'audio/mpeg', fileName: 'song.mp3', sizeBytes: 9000, durationSeconds: 180 },
    ],
    [
      'video',
      { file_id: 'vid', file_unique_id: 'x', width: 640, height: 360, duration: 12, mime_type: 'video/mp4', file_size: 100000 },
      { kind: 'video', platformFileId: 'vid', mimeType: 'video/mp4', sizeBytes: 100000, width: 640, height: 360, durationSeconds: 12 },
    ],
    [
      'video_note',
      { file_id: 'vn', file_unique_id: 'y', length: 240, duration: 5, file_size: 3000 },
      { kind: 'video_note', platformFileId: 'vn', mimeType: 'video/mp4', sizeBytes: 3000, width: 240, height: 240, durationSeconds: 5 },
    ],
    [
      'sticker',
      { file_id: 'st', file_unique_id: 'z', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍', file_size: 20000 },
      { kind: 'sticker', platformFileId: 'st', mimeType: 'image/webp', sizeBytes: 20000, width: 512, height: 512 },
    ],
  ])('maps a %s attachment with its metadata', (field, payload, expected) => {
    const event = received({ message: message({ [field]: payload }) });
    expect(event.data.content.attachments).toEqual([expected]);
    expect(event.data.content.placeholder).toBeUndefined();
  });

  it('reports an animation once, ignoring the document copy Telegram adds for old clients', () => {
    const animation = { file_id: 'gif', file_unique_id: 'g', width: 320, height: 240, duration: 2, mime_type: 'video/mp4', file_name: 'fun.mp4' };
    const event = received({ message: message({ animation, document: { file_id: 'gif', file_unique_id: 'g', mime_type: 'video/mp4' } }) });
    expect(event.data.content.attachments).toEqual([
      { kind: 'animation', platformFileId: 'gif', mimeType: 'video/mp4', fileName: 'fun.mp4', width: 320, height: 240, durationSeconds: 2 },
    ]);
  });

  it('maps animated stickers to their mime type', () => {
    const sticker = { file_id: 'tgs', file_unique_id: 't', type: 'regular', width: 512, height: 512, is_animated: true, is_video: false };
    expect(received({ message: message({ sticker }) }).data.content.attachments[0]?.mimeType).toBe('application/x-tgsticker');
  });

  it('maps a location and a venue', () => {
    expect(received({ message: message({ location: { latitude: 49.84, longitude: 24.03 } }) }).data.content.location).toEqual({
      latitude: 49.84,
      longitude: 24.03,
    });
    const venue = { location: { latitude: 50.45, longitude: 30.52 }, title: 'Office', address: 'Khreshchatyk 1' };
    expect(received({ message: message({ venue, location: venue.location }) }).data.content.location).toEqual({
      latitude: 50.45,
      longitude: 30.52,
      title: 'Office',
      address: 'Khreshchatyk 1',
    });
  });

  it('maps a shared contact', () => {
    const event = received({ message: message({ contact: { phone_number: '+380501234567', first_name: 'Ivan', last_name: 'P', user_id: 555 } }) });
    expect(event.data.content.contact).toEqual({ phone: '+380501234567', firstName: 'Ivan', lastName: 'P', platformUserId: '555' });
  });

  it.each([
    ['poll', { id: 'p1', question: 'Which?', options: [] }, '[poll]'],
    ['dice', { emoji: '🎲', value: 4 }, '[dice]'],
    ['game', { title: 'Chess' }, '[game]'],
    ['some_future_kind', { x: 1 }, '[unsupported message]'],
  ])('keeps a %s message as a placeholder with the raw message', (field, payload, placeholder) => {
    const raw = message({ [field]: payload });
    const event = received({ message: raw });
    expect(event.data.content.placeholder).toBe(placeholder);
    expect(event.data.content.raw).toEqual(raw);
    expect(event.data.content.attachments).toEqual([]);
  });

  it('turns edited_message into MessageEditedV1 with editedAt from edit_date', () => {
    const result = normalise({ edited_message: message({ text: 'fixed typo', edit_date: DATE + 60 }) });
    expect(result.outcome).toBe('event');
    expect(result.kind).toBe('edited_message');
    const event = parseEvent(MessageEditedV1, result.envelope as Envelope);
    expect(event.data.platformMessageId).toBe('42');
    expect(event.data.content.text).toBe('fixed typo');
    expect(event.data.occurredAt).toBe(new Date(DATE * 1000).toISOString());
    expect(event.data.editedAt).toBe(new Date((DATE + 60) * 1000).toISOString());
  });

  it('turns message_reaction into ReactionChangedV1 with the new set (custom emoji as custom:<id>)', () => {
    const result = normalise({
      message_reaction: {
        chat,
        message_id: 41,
        user: from,
        date: DATE,
        old_reaction: [{ type: 'emoji', emoji: '👍' }],
        new_reaction: [
          { type: 'emoji', emoji: '❤' },
          { type: 'custom_emoji', custom_emoji_id: '5368324170671202286' },
        ],
      },
    });
    expect(result.kind).toBe('message_reaction');
    const event = parseEvent(ReactionChangedV1, result.envelope as Envelope);
    expect(event.data.platformMessageId).toBe('41');
    expect(event.data.reactions).toEqual(['❤', 'custom:5368324170671202286']);
    expect(event.data.customer.externalId).toBe('7001');
    expect(event.key).toBe(`${connection.id}:7001`);
  });

  it('treats a removed reaction as an empty set', () => {
    const result = normalise({ message_reaction: { chat, message_id: 41, user: from, date: DATE, old_reaction: [{ type: 'emoji', emoji: '👍' }], new_reaction: [] } });
    expect(parseEvent(ReactionChangedV1, result.envelope as Envelope).data.reactions).toEqual([]);
  });

  it('handles business_message like message', () => {
    const result = normalise({ business_message: message({ text: 'via business', business_connection_id: 'bc1' }) });
    expect(result.kind).toBe('business_message');
    expect(parseEvent(MessageReceivedV1, result.envelope as Envelope).data.content.text).toBe('via business');
  });

  function expectUnrecognised(update: Record<string, unknown>, reason: RegExp): void {
    const result = normalise(update);
    expect(result.outcome).toBe('unrecognised');
    expect(result.topic).toBe(TOPICS.unrecognised);
    const event = parseEvent(UnrecognisedPayloadV1, result.envelope as Envelope);
    expect(event.key).toBe(connection.id);
    expect(event.data.reason).toMatch(reason);
    expect(event.data.payload).toEqual({ update_id: 900, ...update });
  }

  it('parks unknown update kinds whole as UnrecognisedPayloadV1', () => {
    expectUnrecognised({ callback_query: { id: 'cb', from, data: 'x' } }, /unsupported update kind: callback_query/);
    expectUnrecognised({ chat_member: { chat } }, /chat_member/);
  });

  it('parks messages from groups and channels (only private chats for now)', () => {
    expectUnrecognised({ message: message({ chat: { id: -100123, type: 'supergroup', title: 'Team' }, text: 'hi' }) }, /supergroup/);
  });

  it('parks malformed messages instead of failing', () => {
    expectUnrecognised({ message: { message_id: 'not-a-number', chat } }, /malformed message/);
  });

  it('parks payloads that break the inbound contract', () => {
    expectUnrecognised({ message: message({ location: { latitude: 123, longitude: 0 } }) }, /inbound contract/);
  });
});
