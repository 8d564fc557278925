/**
 * Search (L5, C5) on both databases the product runs on (PostgreSQL and embedded PGlite): Ukrainian,
 * Russian and Latin text matched by word beginnings and inside words, case-insensitively; ranked results
 * with highlighted fragments; the list filter; search inside one chat and the jump to a match; and no
 * results from chats the caller may not see.
 */
import { MessageReceivedV1, TOPICS, chatKeyOf, createEnvelope } from '@switchboard/contracts';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema, startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger, signAccessToken, type Principal, type RunningService } from '@switchboard/service-kit';
import { createTestDatabase, employeeChangedEvent, isPostgresAvailable, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { chatConfigSchema, startChatService } from '../src';

const JWT_SECRET = 'search-test-secret-'.padEnd(40, 'x');
const connectionA = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_a_bot' };
const connectionB = { id: randomUUID(), channel: 'telegram' as const, displayName: '@shop_b_bot' };
const admin: Principal = { employeeId: randomUUID(), role: 'admin', name: 'Ada Admin' };
const operatorA: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Olena' };

const CONVERSATIONS = [
  { connection: connectionA, customerId: '301', name: 'Оксана Коваль', username: 'oksana_k', texts: ['Добрий день!', 'Де моє ЗАМОВЛЕННЯ №5512?', 'Дякую'] },
  { connection: connectionA, customerId: '302', name: 'Дмитрий Орлов', username: null, texts: ['Здравствуйте, ещё не пришёл заказ', 'Когда доставка?'] },
  { connection: connectionA, customerId: '303', name: 'John Smith', username: 'jsmith', texts: ['Hello, where is my Order?', 'Reorder please'] },
  { connection: connectionB, customerId: '401', name: 'Hidden Customer', username: null, texts: ['моє замовлення secret-b'] },
];

type Answer<T> = { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };

const runtimes = ['postgresql', 'pglite'] as const;

describe.each(runtimes)('search on %s', (runtime) => {
  let chat: RunningService | undefined;
  let bus: EventBus;
  let stopDatabase: () => Promise<void> = async () => undefined;
  const tokens = new Map<Principal, string>();

  async function gql<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<Answer<T>> {
    const response = await fetch(`${chat!.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(as)}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Answer<T>;
  }
  async function ok<T>(as: Principal, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const answer = await gql<T>(as, query, variables);
    if (answer.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(answer.errors)}`);
    return answer.data!;
  }

  type Hit = { chat: { number: number; customer: { displayName: string } }; matchedIn: string; item: { id: string; text: string } | null; fragment: { text: string; ranges: { start: number; length: number }[] } };
  const search = async (as: Principal, query: string) =>
    (
      await ok<{ searchChats: { edges: { node: Hit }[] } }>(
        as,
        `query($q: String!) { searchChats(query: $q) { edges { node { chat { number customer { displayName } } matchedIn
           item { ... on Message { id text } ... on Note { id noteText: text } } fragment { text ranges { start length } } } } } }`,
        { q: query },
      )
    ).searchChats.edges.map((e) => e.node);
  const marked = (fragment: Hit['fragment']) => fragment.ranges.map((r) => fragment.text.slice(r.start, r.start + r.length));

  beforeAll(async () => {
    let databaseUrl: string;
    if (runtime === 'postgresql') {
      if (!(await isPostgresAvailable())) {
        if (process.env.REQUIRE_INTEGRATION === '1') throw new Error('PostgreSQL is required (REQUIRE_INTEGRATION=1)');
        return;
      }
      const db = await createTestDatabase('chat_search');
      databaseUrl = db.url;
      stopDatabase = () => db.drop();
    } else {
      const pg = await startEmbeddedPostgres({});
      databaseUrl = pg.url;
      stopDatabase = () => pg.stop();
    }
    await migrateSchema(createServiceDataSource({ url: databaseUrl, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS }), LOG_BUS_SCHEMA);
    const logger = createLogger('chat-test', process.env.LOG_LEVEL ?? 'warn');
    bus = new EventBus(new LogTransport({ databaseUrl, logger, pollIntervalMs: 50 }), logger);
    await bus.transport.connect();
    // Keyword pages take one of two shapes by how common the planner expects a word to be, and these few
    // chats always look rare: on PostgreSQL every operator page takes the walk of their chats instead, so
    // the suite checks both shapes (decision 0049).
    const walkAlways = runtime === 'postgresql' ? { SEARCH_RARE_WORD_CHATS: '0' } : {};
    chat = await startChatService({ logger, bus, config: chatConfigSchema.parse({ PORT: '0', DATABASE_URL: databaseUrl, JWT_SECRET, DATABASE_POOL_SIZE: '4', ...walkAlways }) });
    for (const p of [admin, operatorA]) tokens.set(p, await signAccessToken(p, { secret: JWT_SECRET, ttlSeconds: 600 }));

    let messageId = 1;
    const events = CONVERSATIONS.flatMap((c) =>
      c.texts.map((text) => {
        const chatKey = chatKeyOf({ connectionId: c.connection.id, externalChatId: c.customerId });
        const id = messageId++;
        return {
          topic: TOPICS.inbound,
          envelope: createEnvelope(
            MessageReceivedV1,
            {
              connection: c.connection,
              chatKey,
              externalChatId: c.customerId,
              occurredAt: new Date(Date.UTC(2026, 10, 1, 10, 0, id)).toISOString(),
              platformMessageId: String(id),
              customer: { externalId: c.customerId, displayName: c.name, ...(c.username ? { username: c.username } : {}) },
              content: { text, attachments: [] },
            },
            { producer: 'test', key: chatKey },
          ),
        };
      }),
    );
    // The chat service only takes operators it has heard of from identity.
    await bus.publish([employeeChangedEvent(operatorA, new Date(0)), ...events]);
    await waitFor(async () => (await ok<{ chats: { totalCount: number } }>(admin, `{ chats { totalCount } }`)).chats.totalCount === 4, { description: 'four chats' });
    await ok(admin, `mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, { c: connectionA.id, e: [operatorA.employeeId] });
  });

  afterAll(async () => {
    await chat?.stop();
    await bus?.close();
    await stopDatabase();
  });

  it('finds Ukrainian text by a word beginning, case-insensitively, and marks the match', async () => {
    if (!chat) return;
    const hits = await search(operatorA, 'замовл');
    expect(hits.map((h) => h.chat.customer.displayName)).toEqual(['Оксана Коваль']);
    expect(hits[0]).toMatchObject({ matchedIn: 'MESSAGE', item: { text: 'Де моє ЗАМОВЛЕННЯ №5512?' } });
    expect(marked(hits[0]!.fragment)).toEqual(['ЗАМОВЛ']);
  });

  it('finds text inside words, in Russian with ё written as е, and in Latin', async () => {
    if (!chat) return;
    expect((await search(operatorA, 'овлен')).map((h) => h.chat.customer.displayName)).toEqual(['Оксана Коваль']);
    const russian = await search(operatorA, 'еще пришел');
    expect(russian.map((h) => h.item?.text)).toEqual(['Здравствуйте, ещё не пришёл заказ']);
    expect(marked(russian[0]!.fragment)).toEqual(['ещё', 'пришёл']);
    // "order" at a word beginning ranks above "Reorder" (inside a word) within one chat, and the best is shown.
    const latin = await search(operatorA, 'ORDER');
    expect(latin).toHaveLength(1);
    expect(latin[0]!.item?.text).toBe('Hello, where is my Order?');
  });

  it('finds chats by customer name, username, and chat number, ranked number first', async () => {
    if (!chat) return;
    expect((await search(operatorA, 'jsmi')).map((h) => [h.chat.customer.displayName, h.matchedIn])).toEqual([['John Smith', 'CUSTOMER']]);
    expect((await search(operatorA, 'орлов')).map((h) => h.chat.customer.displayName)).toEqual(['Дмитрий Орлов']);
    const number = (await search(operatorA, 'Оксана'))[0]!.chat.number;
    const byNumber = await search(admin, `#${number}`);
    expect(byNumber[0]).toMatchObject({ matchedIn: 'NUMBER', chat: { customer: { displayName: 'Оксана Коваль' } } });
  });

  it('never returns chats the caller may not see', async () => {
    if (!chat) return;
    expect(await search(operatorA, 'secret-b')).toEqual([]);
    expect((await search(admin, 'secret-b')).map((h) => h.chat.customer.displayName)).toEqual(['Hidden Customer']);
    const filtered = await ok<{ chats: { edges: { node: { customer: { displayName: string } } }[] } }>(
      operatorA,
      `{ chats(filter: { search: "моє замовлення" }) { edges { node { customer { displayName } } } } }`,
    );
    expect(filtered.chats.edges.map((e) => e.node.customer.displayName)).toEqual(['Оксана Коваль']);
  });

  it('searches inside one chat and jumps to the match with its context', async () => {
    if (!chat) return;
    const chatId = (await ok<{ chats: { edges: { node: { id: string; customer: { displayName: string } } }[] } }>(admin, `{ chats(filter: { search: "Оксана" }) { edges { node { id customer { displayName } } } } }`)).chats
      .edges[0]!.node.id;
    const inChat = await ok<{ chat: { searchTimeline: { edges: { node: { item: { id: string; text: string }; fragment: { text: string } } }[] } } }>(
      operatorA,
      `query($id: ID!) { chat(id: $id) { searchTimeline(query: "5512") { edges { node { item { ... on Message { id text } } fragment { text } } } } } }`,
      { id: chatId },
    );
    const match = inChat.chat.searchTimeline.edges[0]!.node.item;
    expect(match.text).toBe('Де моє ЗАМОВЛЕННЯ №5512?');
    const around = await ok<{ chat: { timelineAround: { text: string }[] } }>(
      operatorA,
      `query($id: ID!, $item: ID!) { chat(id: $id) { timelineAround(itemId: $item, radius: 1) { ... on Message { text } } } }`,
      { id: chatId, item: match.id },
    );
    expect(around.chat.timelineAround.map((m) => m.text)).toEqual(['Добрий день!', 'Де моє ЗАМОВЛЕННЯ №5512?', 'Дякую']);
  });

  it('rejects a search without a usable word', async () => {
    if (!chat) return;
    const answer = await gql(operatorA, `{ searchChats(query: "a") { edges { cursor } } }`);
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  // The chat keeps a copy of its customer's search text (migration 0009, kept by triggers): a customer who
  // renames themselves is found by the new name only, in search and in the list filter, on both databases.
  it('finds a customer by the name they changed to, and no longer by the old one', async () => {
    if (!chat) return;
    const renamed = CONVERSATIONS[1]!;
    const chatKey = chatKeyOf({ connectionId: renamed.connection.id, externalChatId: renamed.customerId });
    await bus.publish([
      {
        topic: TOPICS.inbound,
        envelope: createEnvelope(
          MessageReceivedV1,
          {
            connection: renamed.connection,
            chatKey,
            externalChatId: renamed.customerId,
            occurredAt: new Date(Date.UTC(2026, 10, 1, 11, 0, 0)).toISOString(),
            platformMessageId: 'rename-1',
            customer: { externalId: renamed.customerId, displayName: 'Dmitry Sokolov', username: 'dsokol', phone: '+380501112233' },
            content: { text: 'Это снова я', attachments: [] },
          },
          { producer: 'test', key: chatKey },
        ),
      },
    ]);
    await waitFor(async () => (await search(operatorA, 'sokolov')).length === 1, { description: 'the new name found' });
    expect((await search(operatorA, 'sokolov')).map((h) => [h.chat.customer.displayName, h.matchedIn])).toEqual([['Dmitry Sokolov', 'CUSTOMER']]);
    expect((await search(operatorA, '501112233')).map((h) => h.chat.customer.displayName)).toEqual(['Dmitry Sokolov']);
    expect(await search(operatorA, 'орлов')).toEqual([]);
    const listed = async (q: string) =>
      (await ok<{ chats: { edges: { node: { customer: { displayName: string } } }[] } }>(operatorA, `query($q: String!) { chats(filter: { search: $q }) { edges { node { customer { displayName } } } } }`, { q })).chats.edges.map(
        (e) => e.node.customer.displayName,
      );
    expect(await listed('dsokol')).toEqual(['Dmitry Sokolov']);
    expect(await listed('Дмитрий')).toEqual([]);
  });

  // An operator sees their connections' chats and, outside them, the chats they operate: a keyword page
  // over both comes newest first and pages by cursor without repeating or skipping a chat.
  it('finds matches in a chat the operator was added to outside their connections, newest first, page by page', async () => {
    if (!chat) return;
    const hidden = (await ok<{ chats: { edges: { node: { id: string } }[] } }>(admin, `{ chats(filter: { search: "secret-b" }) { edges { node { id } } } }`)).chats.edges[0]!.node.id;
    await ok(admin, `mutation($c: ID!, $o: [ID!]!) { addChatOperators(chatId: $c, operatorIds: $o) { chat { id } } }`, { c: hidden, o: [operatorA.employeeId] });
    expect((await search(operatorA, 'замовлення')).map((h) => h.chat.customer.displayName)).toEqual(['Hidden Customer', 'Оксана Коваль']);
    type ListPage = { chats: { edges: { cursor: string; node: { customer: { displayName: string } } }[]; pageInfo: { hasNextPage: boolean } } };
    // One word, and two words (on PostgreSQL here: a bounded walk that fills the first page, then the
    // planner's shape when the walk finds less than a page).
    for (const search of ['замовлення', 'моє замовлення']) {
      const page = (after?: string) =>
        ok<ListPage>(
          operatorA,
          `query($after: String, $search: String) { chats(first: 1, after: $after, filter: { search: $search }) { edges { cursor node { customer { displayName } } } pageInfo { hasNextPage } } }`,
          { after, search },
        );
      const first = await page();
      expect(first.chats.edges.map((e) => e.node.customer.displayName)).toEqual(['Hidden Customer']);
      expect(first.chats.pageInfo.hasNextPage).toBe(true);
      const second = await page(first.chats.edges[0]!.cursor);
      expect(second.chats.edges.map((e) => e.node.customer.displayName)).toEqual(['Оксана Коваль']);
      expect(second.chats.pageInfo.hasNextPage).toBe(false);
    }
    expect((await search(operatorA, 'моє замовлення')).map((h) => h.chat.customer.displayName)).toEqual(['Hidden Customer', 'Оксана Коваль']);
  });

  // A probe reads a message's normalised text from messages_chat_search_idx (decision 0054); a text too long
  // for an index entry is not there and is matched through its full text, wherever the words are in it.
  it('finds words anywhere in a message too long for the search index', async () => {
    if (!chat) return;
    const john = CONVERSATIONS[2]!;
    const chatKey = chatKeyOf({ connectionId: john.connection.id, externalChatId: john.customerId });
    // 1,200 Cyrillic letters are 2,400 bytes, past the 2,000 an index entry holds.
    const long = `Початок опису ${'х'.repeat(1200)} і наприкінці кодове слово Шпаківня`;
    await bus.publish([
      {
        topic: TOPICS.inbound,
        envelope: createEnvelope(
          MessageReceivedV1,
          {
            connection: john.connection,
            chatKey,
            externalChatId: john.customerId,
            occurredAt: new Date(Date.UTC(2026, 10, 1, 12, 0, 0)).toISOString(),
            platformMessageId: 'long-1',
            customer: { externalId: john.customerId, displayName: john.name, username: john.username! },
            content: { text: long, attachments: [] },
          },
          { producer: 'test', key: chatKey },
        ),
      },
    ]);
    await waitFor(async () => (await search(admin, 'шпаківн')).length === 1, { description: 'the long message found' });
    for (const query of ['шпаківн', 'початок шпаківня']) {
      for (const as of [admin, operatorA]) {
        const hits = await search(as, query);
        expect(hits.map((h) => [h.chat.customer.displayName, h.matchedIn])).toEqual([['John Smith', 'MESSAGE']]);
        expect(hits[0]!.item?.text).toBe(long);
      }
      const listed = await ok<{ chats: { edges: { node: { customer: { displayName: string } } }[] } }>(
        operatorA,
        `query($q: String!) { chats(filter: { search: $q }) { edges { node { customer { displayName } } } } }`,
        { q: query },
      );
      expect(listed.chats.edges.map((e) => e.node.customer.displayName)).toEqual(['John Smith']);
    }
  });
});
