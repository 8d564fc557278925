/**
 * The chatTyping subscription of the gateway's live schema (decision 0042): hub items become ChatTypingEvent
 * payloads, narrowed to one chat when chatId is given; a chatId that is not an id is BAD_USER_INPUT.
 */
import type { Principal } from '@switchboard/service-kit';
import { parse, subscribe, type ExecutionResult } from 'graphql';
import { randomUUID } from 'node:crypto';
import type { EphemeralEntry } from '../src/live/chat-feed.client';
import type { LiveHub } from '../src/live/live-hub';
import { buildLiveSchema } from '../src/live/live-subscriptions';

const chatA = randomUUID();
const chatB = randomUUID();
const principal: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена' };
const item = (chatId: string, kind: 'customer' | 'employee', name: string): EphemeralEntry => ({
  kind: 'typing',
  chatId,
  actor: { kind, id: randomUUID(), name },
  activity: 'typing',
  occurredAt: '2026-03-01T10:00:00.000Z',
  expiresAt: '2026-03-01T10:00:06.000Z',
  audience: [principal.employeeId],
});

/** A hub that hands out the given typing items to whoever subscribes, remembering who asked. */
function hubOf(items: EphemeralEntry[]) {
  const askedBy: Principal[] = [];
  const hub = {
    async *ephemeral(who: Principal) {
      askedBy.push(who);
      yield* items;
    },
  } as unknown as LiveHub;
  return { hub, askedBy };
}

async function collect(schema: ReturnType<typeof buildLiveSchema>, variables: Record<string, unknown>): Promise<ExecutionResult[]> {
  const result = await subscribe({
    schema,
    document: parse(`subscription($chatId: ID) { chatTyping(chatId: $chatId) { chatId activity occurredAt expiresAt who { kind id name } } }`),
    variableValues: variables,
    contextValue: { principal },
  });
  if (!(Symbol.asyncIterator in result)) return [result];
  const all: ExecutionResult[] = [];
  for await (const next of result) all.push(next);
  return all;
}

describe('chatTyping', () => {
  it('maps typing items to events for the caller, of one chat when chatId is given', async () => {
    const items = [item(chatA, 'customer', 'Марта'), item(chatB, 'employee', 'Ivan'), item(chatA, 'employee', 'Ada')];
    const { hub, askedBy } = hubOf(items);
    const schema = buildLiveSchema(hub);
    const all = await collect(schema, {});
    expect(all.map((r) => (r.data?.['chatTyping'] as { chatId: string }).chatId)).toEqual([chatA, chatB, chatA]);
    expect(all[0]!.data!['chatTyping']).toEqual({
      chatId: chatA,
      activity: 'typing',
      occurredAt: '2026-03-01T10:00:00.000Z',
      expiresAt: '2026-03-01T10:00:06.000Z',
      who: { kind: 'CUSTOMER', id: items[0]!.actor.id, name: 'Марта' },
    });
    const one = await collect(schema, { chatId: chatA });
    expect(one.map((r) => (r.data?.['chatTyping'] as { who: { name: string } }).who.name)).toEqual(['Марта', 'Ada']);
    expect(askedBy).toEqual([principal, principal]);
  });

  it('refuses a chatId that is not an id', async () => {
    const { hub } = hubOf([]);
    const [result] = await collect(buildLiveSchema(hub), { chatId: 'chat-1' });
    expect(result!.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'chatId' });
  });
});
