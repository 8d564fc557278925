import { randomUUID } from 'node:crypto';
import {
  ContractViolationError,
  MessageEditedV1,
  MessageReceivedV1,
  TOPIC_CATALOG,
  chatKeyOf,
  createEnvelope,
  deadLetterTopic,
  decodeEnvelope,
  encodeEnvelope,
  parseEvent,
  type Envelope,
} from '../src';

const connection = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_bot' };
const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId: '5001' });

function received(overrides: Record<string, unknown> = {}) {
  return {
    connection,
    chatKey,
    externalChatId: '5001',
    occurredAt: '2026-11-30T10:00:00.000Z',
    platformMessageId: '42',
    customer: { externalId: '5001', displayName: 'Alice' },
    content: { text: 'Привіт' },
    ...overrides,
  };
}

/** What decodeEnvelope/parseEvent throw, so a test can look at the message and issues. */
function violation(work: () => unknown): ContractViolationError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractViolationError);
    return error as ContractViolationError;
  }
  throw new Error('expected a ContractViolationError, nothing was thrown');
}

describe('chatKeyOf', () => {
  it('is `<connection id>:<platform chat id>`, keeping negative ids (Telegram groups) intact', () => {
    expect(chatKeyOf({ connectionId: 'c-1', externalChatId: '5001' })).toBe('c-1:5001');
    expect(chatKeyOf({ connectionId: 'c-1', externalChatId: '-1001234567890' })).toBe('c-1:-1001234567890');
    expect(chatKeyOf({ connectionId: 'c-1', externalChatId: '5001' })).not.toBe(chatKeyOf({ connectionId: 'c-2', externalChatId: '5001' }));
  });
});

describe('createEnvelope', () => {
  it('fills metadata: a fresh id, the wire name, ISO time, and the id as correlation id of a new conversation', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'channel-telegram', key: chatKey });
    expect(envelope).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      type: 'messenger.message-received',
      version: 1,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      producer: 'channel-telegram',
      key: chatKey,
      correlationId: envelope.id,
      data: expect.objectContaining({ platformMessageId: '42' }),
    });
    expect(envelope).not.toHaveProperty('causationId');
    expect(createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k' }).id).not.toBe(envelope.id);
  });

  it('inherits the correlation id of its cause and names the cause', () => {
    const cause = createEnvelope(MessageReceivedV1, received(), { producer: 'channel-telegram', key: chatKey, correlationId: 'webhook-7' });
    const effect = createEnvelope(MessageEditedV1, { ...received(), editedAt: '2026-11-30T10:01:00Z' }, { producer: 'chat', key: chatKey, cause });
    expect(cause.correlationId).toBe('webhook-7');
    expect(effect.correlationId).toBe('webhook-7');
    expect(effect.causationId).toBe(cause.id);
    const id = randomUUID();
    const fixed = createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k', id, time: new Date(0) });
    expect([fixed.id, fixed.time]).toEqual([id, '1970-01-01T00:00:00.000Z']);
  });

  it('validates the payload on the way out (applying defaults) and refuses a bad one at the producer', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k' });
    expect(envelope.data.content.attachments).toEqual([]);
    expect(() => createEnvelope(MessageReceivedV1, received({ content: {} }) as never, { producer: 'p', key: 'k' })).toThrow(/message content is empty/);
    expect(() => createEnvelope(MessageReceivedV1, received({ platformMessageId: '' }), { producer: 'p', key: 'k' })).toThrow(/platformMessageId/);
  });
});

describe('encodeEnvelope / decodeEnvelope / parseEvent', () => {
  it('round-trips an envelope through the wire, from a string or from bytes', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'channel-telegram', key: chatKey });
    const wire = encodeEnvelope(envelope);
    expect(decodeEnvelope(wire)).toEqual(envelope);
    expect(decodeEnvelope(Buffer.from(wire, 'utf8'))).toEqual(envelope);
    const parsed = parseEvent(MessageReceivedV1, decodeEnvelope(wire));
    expect(parsed).toEqual(envelope);
    expect(parsed.data.customer.displayName).toBe('Alice');
    expect(parsed.data.content.text).toBe('Привіт');
  });

  it('rejects bytes that are not JSON', () => {
    const error = violation(() => decodeEnvelope(Buffer.from('{"id": ')));
    expect(error.message).toMatch(/^Record is not JSON: /);
  });

  it('rejects JSON that is not an envelope, naming every broken field', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k' });
    const broken: Partial<Envelope> & Record<string, unknown> = { ...envelope, id: 'not-a-uuid', version: 0 };
    delete broken.key;
    const error = violation(() => decodeEnvelope(JSON.stringify(broken)));
    expect(error.message).toMatch(/^Record is not an event envelope: /);
    for (const field of ['id', 'version', 'key']) expect(error.message).toContain(field);
    expect(error.issues.map((i) => i.path.join('.')).sort()).toEqual(['id', 'key', 'version']);
  });

  it('rejects an envelope of another type or version than the contract asked for', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k' });
    expect(violation(() => parseEvent(MessageEditedV1, envelope)).message).toBe(
      'Expected messenger.message-edited.v1 but got messenger.message-received.v1',
    );
    expect(violation(() => parseEvent(MessageReceivedV1, { ...envelope, version: 2 })).message).toBe(
      'Expected messenger.message-received.v1 but got messenger.message-received.v2',
    );
  });

  it('rejects a payload that breaks its contract with a readable message and the issues by path', () => {
    const envelope = createEnvelope(MessageReceivedV1, received(), { producer: 'p', key: 'k' });
    const bad = { ...envelope, data: { ...envelope.data, customer: { externalId: '5001' }, occurredAt: 'yesterday' } };
    const error = violation(() => parseEvent(MessageReceivedV1, decodeEnvelope(JSON.stringify(bad))));
    expect(error.name).toBe('ContractViolationError');
    expect(error.message).toMatch(/^Invalid messenger\.message-received\.v1 payload: /);
    expect(error.message).toContain('customer.displayName');
    expect(error.message).toContain('occurredAt');
    expect(error.issues.map((i) => i.path.join('.')).sort()).toEqual(['customer.displayName', 'occurredAt']);
  });
});

describe('topics', () => {
  it('parks dead letters on <topic>.dlq', () => {
    expect(deadLetterTopic('messenger.inbound.v1')).toBe('messenger.inbound.v1.dlq');
  });

  it('has one contract per wire name on every topic of the catalog, and wire names that match type and version', () => {
    for (const entry of TOPIC_CATALOG) {
      const names = entry.events.map((e) => e.wireName);
      expect(new Set(names).size).toBe(names.length);
      for (const contract of entry.events) expect(contract.wireName).toBe(`${contract.type}.v${contract.version}`);
    }
  });
});
