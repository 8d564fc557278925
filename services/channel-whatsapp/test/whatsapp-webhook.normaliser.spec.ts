import { MessageReceivedV1, TOPICS, UnrecognisedPayloadV1, parseEvent } from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';
import { normaliseWebhook, waWebhookSchema, type WhatsAppConnectionScope } from '../src';

const connectionId = randomUUID();
const scope: WhatsAppConnectionScope = { ref: { id: connectionId, channel: 'whatsapp', displayName: 'Shop' }, wabaId: 'W1' };
const connections = new Map([['P1', scope]]);
const metadata = { display_phone_number: '1555', phone_number_id: 'P1' };
const text = (from: string, id: string, ts: number, body = id) => ({ from, id, timestamp: String(ts), type: 'text', text: { body } });
const webhook = (changes: unknown[], wabaId = 'W1') => waWebhookSchema.parse({ object: 'whatsapp_business_account', entry: [{ id: wabaId, changes }] });
const messages = (list: unknown[], phoneNumberId = 'P1') => ({ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { ...metadata, phone_number_id: phoneNumberId }, messages: list } });

describe('normaliseWebhook', () => {
  it('orders each chat by platform time but leaves the other chats where they were', () => {
    const batch = normaliseWebhook({
      webhook: webhook([messages([text('A', 'a3', 30), text('B', 'b1', 5), text('A', 'a1', 10), text('A', 'a2', 20)])]),
      connections,
    });
    const ids = batch.events.map((e) => parseEvent(MessageReceivedV1, e.envelope).data.platformMessageId);
    expect(ids).toEqual(['a1', 'b1', 'a2', 'a3']);
    expect(batch.events.map((e) => e.envelope.key)).toEqual([`${connectionId}:A`, `${connectionId}:B`, `${connectionId}:A`, `${connectionId}:A`]);
  });

  it('keeps a malformed message as an unrecognised payload instead of dropping it or failing the batch', () => {
    const broken = { id: 'x1', type: 'text', timestamp: 'yesterday' };
    const batch = normaliseWebhook({ webhook: webhook([messages([broken, text('A', 'ok', 1)])]), connections });
    expect(batch.events.map((e) => e.topic)).toEqual([TOPICS.unrecognised, TOPICS.inbound]);
    const parked = parseEvent(UnrecognisedPayloadV1, batch.events[0]!.envelope).data;
    expect(parked.payload).toEqual(broken);
    expect(parked.reason).toMatch(/malformed message/);
  });

  it('keeps an out-of-range location as unrecognised (it breaks the inbound contract)', () => {
    const location = { from: 'A', id: 'l1', timestamp: '1', type: 'location', location: { latitude: 123, longitude: 0 } };
    const batch = normaliseWebhook({ webhook: webhook([messages([location])]), connections });
    expect(batch.events[0]!.topic).toBe(TOPICS.unrecognised);
  });

  it('ignores numbers that are not connected here, and account fields of unknown WABAs', () => {
    const batch = normaliseWebhook({
      webhook: waWebhookSchema.parse({
        object: 'whatsapp_business_account',
        entry: [
          { id: 'W1', changes: [messages([text('A', 'n1', 1)], 'OTHER')] },
          { id: 'W9', changes: [{ field: 'account_update', value: {} }] },
        ],
      }),
      connections,
    });
    expect(batch.events).toEqual([]);
    expect(batch.ignored.map((i) => i.reason)).toEqual(['unknown_phone_number', 'no_connection_for_field']);
    expect(batch.touchedConnectionIds.size).toBe(0);
  });
});
