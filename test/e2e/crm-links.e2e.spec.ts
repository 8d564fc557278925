/**
 * CRM links through the gateway on both runtimes (issue 7: D1, D2 Вибрати зв'язок): a Telegram customer
 * writes and becomes a lead automatically (CRM_UNMATCHED_CUSTOMER=lead); the admin finds another lead in
 * the picker, links the chat to it and reads the detail panel with the chat's own fields in one query
 * across the chat and crm subgraphs; an operator who may not see the chat can neither read nor change
 * its link; deleting the chat drops its link.
 */
import { waitFor } from '@switchboard/testing';
import { Client } from 'pg';
import { GraphQLClient } from './support/graphql-client';
import { availableRuntimes } from './support/infra';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const PANEL_QUERY = `query($id: ID!) {
  chat(id: $id) {
    id number
    customer { displayName username }
    crm {
      kind id origin matchedBy name email phone url
      socialProfiles { kind handle url }
      lead { id title contactName status }
      client { name company { name } }
      linkedBy { id }
    }
  }
}`;

interface PanelAnswer {
  chat: {
    id: string;
    number: number;
    customer: { displayName: string; username: string | null };
    crm: {
      kind: string;
      id: string;
      origin: string;
      matchedBy: string | null;
      name: string;
      email: string | null;
      phone: string | null;
      url: string | null;
      socialProfiles: { kind: string; handle: string | null; url: string | null }[];
      lead: { id: string; title: string; contactName: string; status: string } | null;
      client: { name: string; company: { name: string } | null } | null;
      linkedBy: { id: string } | null;
    } | null;
  } | null;
}

describe.each(availableRuntimes())('CRM links on the %s runtime', (runtime) => {
  let stack: TestStack;
  let outsider: GraphQLClient;
  let chatId: string;

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    await stack.client.request(`mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, { input: { token: BOT.token } });
    await stack.client.request(`mutation($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`, {
      input: { email: 'ivan.crm@switchboard.test', name: 'Ivan Nobody', role: 'OPERATOR', password: 'operator-password-1' },
    });
    outsider = new GraphQLClient(stack.client.url);
    await outsider.login('ivan.crm@switchboard.test', 'operator-password-1');
    await stack.telegram.customer(BOT.token, { id: 970001, firstName: 'Марта', username: 'marta_shop' }).sendText('Добрий день! Хочу замовити стіл');
    chatId = await waitFor(async () => (await stack.client.request<{ chats: { edges: { node: { id: string } }[] } }>(`{ chats(first: 5) { edges { node { id } } } }`)).chats.edges[0]?.node.id, {
      timeoutMs: 20_000,
      description: 'the chat to appear',
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('makes the new customer a lead and shows it in the panel', async () => {
    const panel = await waitFor(async () => (await stack.client.request<PanelAnswer>(PANEL_QUERY, { id: chatId })).chat?.crm ?? undefined, {
      timeoutMs: 20_000,
      description: 'the automatic lead',
    });
    expect(panel).toMatchObject({ kind: 'LEAD', origin: 'CREATED', name: 'Марта', lead: { contactName: 'Марта', status: 'NEW' }, socialProfiles: [{ kind: 'telegram', handle: 'marta_shop' }] });
  });

  it('links the chat to a lead chosen in the picker and reads the panel across subgraphs in one query', async () => {
    const created = await stack.client.request<{ createCrmLead: { id: string } }>(
      `mutation($i: CreateCrmLeadInput!) { createCrmLead(input: $i) { id } }`,
      { i: { title: 'Меблі для офісу', contactName: 'Марта Коваль', email: 'marta@example.com', phone: '+380 67 555 44 33', socialProfiles: [{ kind: 'instagram', handle: 'marta.k' }] } },
    );
    const hits = await stack.client.request<{ crmSearch: { kind: string; id: string; title: string }[] }>(`{ crmSearch(query: "меблі офіс") { kind id title } }`);
    expect(hits.crmSearch).toEqual([{ kind: 'LEAD', id: created.createCrmLead.id, title: 'Меблі для офісу' }]);

    const linked = await stack.client.request<{ linkChat: { id: string; number: number; crm: { kind: string; id: string; origin: string } } }>(
      `mutation($c: ID!, $t: LinkedEntityInput!) { linkChat(chatId: $c, target: $t) { id number crm { kind id origin } } }`,
      { c: chatId, t: { kind: 'LEAD', id: created.createCrmLead.id } },
    );
    expect(linked.linkChat.crm).toEqual({ kind: 'LEAD', id: created.createCrmLead.id, origin: 'EMPLOYEE' });

    const { chat } = await stack.client.request<PanelAnswer>(PANEL_QUERY, { id: chatId });
    expect(chat).toMatchObject({
      id: chatId,
      number: linked.linkChat.number,
      customer: { displayName: 'Марта', username: 'marta_shop' },
      crm: {
        kind: 'LEAD',
        id: created.createCrmLead.id,
        origin: 'EMPLOYEE',
        name: 'Марта Коваль',
        email: 'marta@example.com',
        phone: '+380 67 555 44 33',
        socialProfiles: [{ kind: 'instagram', handle: 'marta.k', url: null }],
        lead: { title: 'Меблі для офісу' },
        client: null,
      },
    });
    expect(chat!.crm!.linkedBy?.id).toEqual(expect.any(String));
  });

  it('lets nobody who may not see the chat read or change its link, and drops the link with the chat', async () => {
    expect((await outsider.request<PanelAnswer>(PANEL_QUERY, { id: chatId })).chat).toBeNull();
    const refused = await outsider.raw(`mutation($c: ID!) { unlinkChat(chatId: $c) { id } }`, { c: chatId });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect((await stack.client.request<PanelAnswer>(PANEL_QUERY, { id: chatId })).chat?.crm?.kind).toBe('LEAD');

    await stack.client.request(`mutation($c: ID!) { deleteChat(chatId: $c) { deletedChatId } }`, { c: chatId });
    // The crm service learns of the deletion from chat.deleted; no API shows a deleted chat, so look at its table.
    const sql = new Client({ connectionString: stack.databaseUrl });
    await sql.connect();
    try {
      await waitFor(async () => (await sql.query(`SELECT 1 FROM crm.chat_links WHERE chat_id = $1`, [chatId])).rowCount === 0, { timeoutMs: 20_000, description: 'the link dropped' });
      expect((await sql.query(`SELECT 1 FROM crm.deleted_chats WHERE chat_id = $1`, [chatId])).rowCount).toBe(1);
    } finally {
      await sql.end();
    }
    const answer = await stack.client.raw(`mutation($c: ID!) { unlinkChat(chatId: $c) { id } }`, { c: chatId });
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
