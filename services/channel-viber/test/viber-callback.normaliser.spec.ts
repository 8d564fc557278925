import { DeliveryFailedV1, MessageReceivedV1, ReceiptReceivedV1, TOPICS, UnrecognisedPayloadV1, parseEvent, type ConnectionRef } from '@switchboard/contracts';
import { encodeViberCallback, viberCallbacks } from '@switchboard/testing';
import { planViberCallback, type CallbackPlan } from '../src/viber-callback.normaliser';
import { parseViberJson } from '../src/viber-json.util';

const connection: ConnectionRef = { id: '0b6f5c8e-3f1d-4b8a-9a51-7d2f3c4e5a61', channel: 'viber', displayName: 'Кава Shop' };
const sender = { id: '01234567890A=', name: 'Оксана', language: 'uk' };
const TOKEN = '5491238571235484736';
const TIMESTAMP = 1_764_590_000_123;

/** As the webhook does it: Viber's bytes, parsed losslessly. */
function plan(body: Record<string, unknown>, media?: Parameters<typeof planViberCallback>[0]['media']): CallbackPlan {
  return planViberCallback({ body: parseViberJson(encodeViberCallback(body)), bodyDigest: 'digest', connection, media });
}

describe('parseViberJson', () => {
  it('keeps integers beyond 2^53 as their exact digits and parses other numbers normally', () => {
    const parsed = parseViberJson(`{"message_token":${TOKEN},"timestamp":${TIMESTAMP},"lat":49.8397,"small":42}`);
    expect(parsed).toEqual({ message_token: TOKEN, timestamp: TIMESTAMP, lat: 49.8397, small: 42 });
    // What JSON.parse would have done to the same token:
    expect(String((JSON.parse(`{"t":${TOKEN}}`) as { t: number }).t)).not.toBe(TOKEN);
  });

  it('throws on malformed JSON', () => {
    expect(() => parseViberJson('{"event":')).toThrow();
  });
});

describe('planViberCallback', () => {
  it('turns a text message into MessageReceivedV1 keyed by the user, with the exact token and platform time', () => {
    const result = plan(viberCallbacks.message({ token: TOKEN, sender, message: { type: 'text', text: 'Привіт' }, timestamp: TIMESTAMP }));
    expect(result).toMatchObject({ kind: 'message', dedupeKey: `message:${TOKEN}`, messageToken: TOKEN, userId: sender.id });
    expect(result.subscription).toEqual({ userId: sender.id, name: 'Оксана', subscribed: true, at: new Date(TIMESTAMP) });
    const [event] = result.events;
    expect(event!.topic).toBe(TOPICS.inbound);
    const parsed = parseEvent(MessageReceivedV1, event!.envelope);
    expect(parsed.key).toBe(`${connection.id}:${sender.id}`);
    expect(parsed.data).toEqual({
      connection,
      chatKey: `${connection.id}:${sender.id}`,
      externalChatId: sender.id,
      occurredAt: new Date(TIMESTAMP).toISOString(),
      platformMessageId: TOKEN,
      customer: { externalId: sender.id, displayName: 'Оксана', languageCode: 'uk' },
      content: { text: 'Привіт', attachments: [] },
    });
  });

  it('names the hosted media to download and uses the downloaded size and type', () => {
    const body = viberCallbacks.message({ token: TOKEN, sender, message: { type: 'picture', media: 'https://media.viber/x.jpg', size: 10 } });
    expect(plan(body).mediaUrl).toBe('https://media.viber/x.jpg');
    const withMedia = plan(body, { state: 'stored', sourceUrl: 'https://media.viber/x.jpg', content: Buffer.alloc(3), sizeBytes: 3, mimeType: 'image/webp', sha256: 'x' });
    expect(parseEvent(MessageReceivedV1, withMedia.events[0]!.envelope).data.content.attachments).toEqual([
      { kind: 'image', platformFileId: `viber-media:${TOKEN}`, mimeType: 'image/webp', sizeBytes: 3 },
    ]);
    // A shared link is not Viber's media: nothing to download.
    expect(plan(viberCallbacks.message({ token: TOKEN, sender, message: { type: 'url', media: 'https://example.com' } })).mediaUrl).toBeUndefined();
  });

  it('gives blank-named customers a readable name', () => {
    const result = plan(viberCallbacks.message({ token: TOKEN, sender: { id: 'AbCdEfGhIjK=', name: ' ' }, message: { type: 'text', text: 'x' } }));
    expect(parseEvent(MessageReceivedV1, result.events[0]!.envelope).data.customer.displayName).toBe('Viber user AbCdEfGh');
  });

  it('maps delivered and seen to receipts on the message token', () => {
    const seen = plan(viberCallbacks.seen({ token: TOKEN, userId: sender.id, timestamp: TIMESTAMP }));
    expect(seen.dedupeKey).toBe(`seen:${TOKEN}:${sender.id}`);
    expect(parseEvent(ReceiptReceivedV1, seen.events[0]!.envelope).data).toMatchObject({ receipt: 'read', platformMessageId: TOKEN });
    const delivered = plan(viberCallbacks.delivered({ token: TOKEN, userId: sender.id }));
    expect(parseEvent(ReceiptReceivedV1, delivered.events[0]!.envelope).data.receipt).toBe('delivered');
  });

  it('maps failed to DeliveryFailedV1 with Viber\'s reason', () => {
    const failed = plan(viberCallbacks.failed({ token: TOKEN, userId: sender.id, desc: 'blocked by user' }));
    expect(failed.dedupeKey).toBe(`failed:${TOKEN}:${sender.id}`);
    expect(parseEvent(DeliveryFailedV1, failed.events[0]!.envelope).data).toMatchObject({
      platformMessageId: TOKEN,
      chatKey: `${connection.id}:${sender.id}`,
      failure: { code: 'platform_error', message: 'Viber could not deliver the message: blocked by user' },
    });
  });

  it('records subscription changes with Viber time and publishes nothing for them', () => {
    const subscribed = plan(viberCallbacks.subscribed({ user: sender, timestamp: TIMESTAMP }));
    expect(subscribed).toMatchObject({ kind: 'subscription', events: [], subscription: { userId: sender.id, subscribed: true, at: new Date(TIMESTAMP) } });
    const unsubscribed = plan(viberCallbacks.unsubscribed({ userId: sender.id, timestamp: TIMESTAMP + 1 }));
    expect(unsubscribed.subscription).toEqual({ userId: sender.id, name: undefined, subscribed: false, at: new Date(TIMESTAMP + 1) });
    const opened = plan(viberCallbacks.conversationStarted({ user: sender, subscribed: false, token: TOKEN }));
    expect(opened).toMatchObject({ kind: 'conversation_started', dedupeKey: `conversation_started:${TOKEN}`, subscription: { subscribed: false } });
  });

  it('keeps malformed and unknown callbacks whole on the unrecognised topic', () => {
    const malformed = plan({ event: 'message', timestamp: TIMESTAMP, message_token: TOKEN, message: { type: 'text', text: 'no sender' } });
    expect(malformed.kind).toBe('unrecognised');
    expect(malformed.events[0]!.topic).toBe(TOPICS.unrecognised);
    const data = parseEvent(UnrecognisedPayloadV1, malformed.events[0]!.envelope).data;
    expect(data.reason).toMatch(/^malformed message callback/);
    expect((data.payload as { message_token: string }).message_token).toBe(TOKEN);
    const badLocation = plan(viberCallbacks.message({ token: TOKEN, sender, message: { type: 'location', location: { lat: 123, lon: 0 } } }));
    expect(badLocation.reason).toMatch(/does not fit the inbound contract/);
    expect(plan({ event: 'action', timestamp: TIMESTAMP }).reason).toBe('unsupported Viber event: action');
    expect(plan({ no: 'event' }).kind).toBe('unrecognised');
  });

  it('does not store the set_webhook verification callback', () => {
    expect(plan(viberCallbacks.webhook()).kind).toBe('webhook');
  });
});
