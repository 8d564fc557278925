/**
 * The crm service (issue 7: D1, D2 Вибрати зв'язок) through its subgraph over HTTP with real access tokens,
 * on PostgreSQL with the log bus: new customers matched to the directory by social profile, phone and
 * e-mail or made into leads; redelivered events create and publish nothing twice; employees link and
 * unlink chats (checked against the chat service's visibility endpoint, a double here) with crm events;
 * a deleted chat drops its link; the picker's search; its bus traffic on /metrics (the shared bus series).
 */
import { TOPICS, type Envelope } from '@switchboard/contracts';
import type { Principal } from '@switchboard/service-kit';
import { integrationSuite, waitFor } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { CrmHarness, type GraphQLAnswer } from './support/crm-harness';

const olena: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Олена Петренко' };
const ivan: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Ivan Nobody' };

const PANEL = `chatId kind id origin matchedBy name email phone url socialProfiles { kind handle } client { id name company { name } } lead { id title } order { number client { name } }`;
const PANEL_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Chat { id crm { ${PANEL} } } } }`;
type Panel = {
  chatId: string;
  kind: string;
  id: string;
  origin: string;
  matchedBy: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  url: string | null;
  socialProfiles: { kind: string; handle: string | null }[];
  client: { id: string; name: string; company: { name: string } | null } | null;
  lead: { id: string; title: string } | null;
  order: { number: string; client: { name: string } } | null;
};
const reasonOf = (answer: GraphQLAnswer<unknown>) => ({ code: answer.errors?.[0]?.extensions?.code, reason: answer.errors?.[0]?.extensions?.reason });
const types = (events: Envelope[]) => events.map((e) => e.type);

/** The value of one sample `name{labels...}` of a /metrics text (labels matched as given, in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

integrationSuite(['postgres'], 'crm service integration tests')('the crm service (PostgreSQL, log bus)', () => {
  const h = new CrmHarness();
  const panelOf = async (as: Principal, chatId: string) => (await h.ok<{ _entities: { crm: Panel | null }[] }>(as, PANEL_QUERY, { r: [{ __typename: 'Chat', id: chatId }] }))._entities[0]!.crm;
  /** Waits until the consumer settled the chat's link as expected. */
  const linked = (chatId: string, expected: { target_kind: string | null; origin?: string }, description: string) =>
    waitFor(async () => {
      const link = await h.linkOf(chatId);
      return link && link.target_kind === expected.target_kind && (!expected.origin || link.origin === expected.origin) ? link : undefined;
    }, { timeoutMs: 10_000, description });

  beforeAll(() => h.setUp('crm_links'));
  afterAll(() => h.tearDown());

  it('matches a new customer to the client with the same Telegram username', async () => {
    const company = await h.crm.directory.createCompany({ name: 'ТОВ Ромашка' });
    const marta = await h.crm.directory.createClient({ name: 'Марта Коваль', companyId: company.id, email: 'marta@example.com', socialProfiles: [{ kind: 'telegram', handle: '@Marta_K' }] });
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Marta', username: 'marta_k' }, { visibleTo: [olena.employeeId] });
    await h.publish(created);

    const link = await linked(created.data.chatId, { target_kind: 'client' }, 'the chat to be matched');
    expect(link).toMatchObject({ target_id: marta.id, origin: 'matched', matched_by: 'social' });
    const panel = await panelOf(olena, created.data.chatId);
    expect(panel).toMatchObject({
      kind: 'CLIENT',
      id: marta.id,
      origin: 'MATCHED',
      matchedBy: 'SOCIAL',
      name: 'Марта Коваль',
      email: 'marta@example.com',
      url: `https://crm.example.com/clients/${marta.id}`,
      socialProfiles: [{ kind: 'telegram', handle: '@Marta_K' }],
      client: { id: marta.id, company: { name: 'ТОВ Ромашка' } },
      lead: null,
    });
    await waitFor(async () => h.eventsOf(created.data.chatId).length === 1, { description: 'crm.chat-linked' });
    expect(h.eventsOf(created.data.chatId)[0]!).toMatchObject({
      type: 'crm.chat-linked',
      key: created.data.chatId,
      causationId: created.id,
      data: { target: { kind: 'client', id: marta.id }, origin: 'matched', matchedBy: 'social' },
    });

    // A friend's contact card does not move a matched link.
    await h.crm.directory.createClient({ name: 'Friend', phone: '+380 50 999 88 77' });
    const marker = h.chatCreated({ customerId: randomUUID(), displayName: 'Marker 0' });
    await h.publish(h.inboundMessage(created, { contact: { phone: '+380509998877', firstName: 'Friend' } }), marker);
    await linked(marker.data.chatId, { target_kind: 'lead' }, 'the marker chat');
    expect(await h.linkOf(created.data.chatId)).toMatchObject({ target_id: marta.id, origin: 'matched' });
    expect(h.eventsOf(created.data.chatId)).toHaveLength(1);
  });

  it('makes an unmatched customer a lead exactly once, however often the event comes, and reuses it for their next chat', async () => {
    const customer = { customerId: randomUUID(), displayName: 'Оксана', username: 'oksana_new' };
    const created = h.chatCreated(customer, { visibleTo: [olena.employeeId] });
    await h.publish(created, created);
    await h.publish(created);
    const link = await linked(created.data.chatId, { target_kind: 'lead', origin: 'created' }, 'a lead for the new customer');
    // A comment thread of the same customer is a second chat: the same lead, found by the customer's social profile.
    const second = h.chatCreated(customer, { visibleTo: [olena.employeeId] });
    await h.publish(second);
    const secondLink = await linked(second.data.chatId, { target_kind: 'lead', origin: 'matched' }, 'the second chat linked');
    expect(secondLink.target_id).toBe(link.target_id);
    await waitFor(async () => h.eventsOf(second.data.chatId).length === 1, { description: 'the second link event' });

    const leads = await h.query<{ id: string; contact_name: string }>(`SELECT id, contact_name FROM crm.leads WHERE origin_customer_id = $1`, [customer.customerId]);
    expect(leads).toEqual([{ id: link.target_id, contact_name: 'Оксана' }]);
    expect(types(h.eventsOf(created.data.chatId))).toEqual(['crm.chat-linked']);
    expect(h.eventsOf(created.data.chatId)[0]!.data).toMatchObject({ origin: 'created', target: { kind: 'lead', id: link.target_id } });
    const panel = await panelOf(olena, created.data.chatId);
    expect(panel).toMatchObject({ kind: 'LEAD', name: 'Оксана', lead: { title: 'Оксана (telegram)' }, client: null, socialProfiles: [{ kind: 'telegram', handle: 'oksana_new' }] });
  });

  it('moves a chat from its new lead to the client whose phone the customer shares, or keeps the phone on the lead', async () => {
    const petro = await h.crm.directory.createClient({ name: 'Петро Іваненко', phone: '+380 67 123 45 67' });
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Petro' }, { visibleTo: [olena.employeeId] });
    await h.publish(created);
    const lead = await linked(created.data.chatId, { target_kind: 'lead' }, 'a lead first');
    // The national form of the same number.
    const shared = h.inboundMessage(created, { contact: { phone: '067 123 45 67', firstName: 'Petro' } });
    await h.publish(shared, shared);
    const link = await linked(created.data.chatId, { target_kind: 'client' }, 'the chat moved to the client');
    expect(link).toMatchObject({ target_id: petro.id, origin: 'matched', matched_by: 'phone' });
    await waitFor(async () => h.eventsOf(created.data.chatId).length === 2, { description: 'two link events' });
    expect(h.eventsOf(created.data.chatId)[1]!.data).toMatchObject({ target: { kind: 'client', id: petro.id }, previous: { kind: 'lead', id: lead.target_id }, matchedBy: 'phone' });

    const stranger = h.chatCreated({ customerId: randomUUID(), displayName: 'Stranger' }, { visibleTo: [olena.employeeId] });
    await h.publish(stranger, h.inboundMessage(stranger, { contact: { phone: '+48 601 234 567', firstName: 'S' } }));
    const strangerLead = await linked(stranger.data.chatId, { target_kind: 'lead' }, "the stranger's lead");
    await waitFor(async () => (await h.query<{ phone: string | null }>(`SELECT phone FROM crm.leads WHERE id = $1`, [strangerLead.target_id]))[0]?.phone === '+48 601 234 567', {
      description: 'the phone kept on the lead',
    });
    // The link event leaves through the outbox relay, after the row it describes.
    await waitFor(async () => h.eventsOf(stranger.data.chatId).length > 0, { description: "the stranger's link event" });
    expect(types(h.eventsOf(stranger.data.chatId))).toEqual(['crm.chat-linked']);
  });

  it('matches by an e-mail the customer writes', async () => {
    const anna = await h.crm.directory.createClient({ name: 'Anna Smith', email: 'Anna.Smith@Example.com' });
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Anna' }, { visibleTo: [olena.employeeId] });
    await h.publish(created, h.inboundMessage(created, { text: 'Мій email: anna.smith@example.com.' }));
    const link = await linked(created.data.chatId, { target_kind: 'client' }, 'the e-mail match');
    expect(link).toMatchObject({ target_id: anna.id, matched_by: 'email' });
  });

  it('leaves a customer who matches several clients for an employee to link', async () => {
    await h.crm.directory.createClient({ name: 'Twin One', socialProfiles: [{ kind: 'viber', handle: 'twin' }] });
    await h.crm.directory.createClient({ name: 'Twin Two', socialProfiles: [{ kind: 'viber', handle: 'twin' }] });
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Twin', username: 'twin' }, { channel: 'viber', visibleTo: [olena.employeeId] });
    const after = h.chatCreated({ customerId: randomUUID(), displayName: 'After' }, { visibleTo: [olena.employeeId] });
    await h.publish(created, after);
    // Events of one consumer are handled in order: once the next chat is linked, the ambiguous one was decided.
    await linked(after.data.chatId, { target_kind: 'lead' }, 'the next chat');
    expect(await h.linkOf(created.data.chatId)).toBeUndefined();
  });

  it("links, relinks and unlinks a chat by an employee's choice, with events, and never overrides that choice", async () => {
    const client = await h.crm.directory.createClient({ name: 'Ірина Бондар', phone: '+380501112233' });
    const order = await h.crm.directory.createOrder({ number: 'A-1024', clientId: client.id, totalAmount: '1250.50', currency: 'UAH' });
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Iryna' }, { visibleTo: [olena.employeeId] });
    await h.publish(created);
    const lead = await linked(created.data.chatId, { target_kind: 'lead' }, 'the automatic lead');
    await waitFor(async () => h.eventsOf(created.data.chatId).length === 1, { description: 'the automatic link event' });

    const link = (target: { kind: string; id: string }) =>
      h.ok<{ linkChat: { id: string; crm: Panel } }>(olena, `mutation($c: ID!, $t: LinkedEntityInput!) { linkChat(chatId: $c, target: $t) { id crm { ${PANEL} } } }`, { c: created.data.chatId, t: target });
    const toOrder = (await link({ kind: 'ORDER', id: order.id })).linkChat;
    expect(toOrder.crm).toMatchObject({ kind: 'ORDER', origin: 'EMPLOYEE', name: 'Ірина Бондар', phone: '+380501112233', order: { number: 'A-1024', client: { name: 'Ірина Бондар' } }, url: `https://crm.example.com/orders/${order.id}` });
    // The same choice again changes nothing and publishes nothing.
    await link({ kind: 'ORDER', id: order.id });
    await link({ kind: 'CLIENT', id: client.id });

    // A later phone share matching another client does not override the employee.
    await h.crm.directory.createClient({ name: 'Someone Else', phone: '+380 99 000 00 01' });
    const marker = h.chatCreated({ customerId: randomUUID(), displayName: 'Marker' });
    await h.publish(h.inboundMessage(created, { contact: { phone: '+380990000001', firstName: 'I' } }), marker);
    await linked(marker.data.chatId, { target_kind: 'lead' }, 'the marker chat');
    expect(await h.linkOf(created.data.chatId)).toMatchObject({ target_kind: 'client', target_id: client.id, origin: 'employee' });

    const unlinked = await h.ok<{ unlinkChat: { id: string; crm: Panel | null } }>(olena, `mutation($c: ID!) { unlinkChat(chatId: $c) { id crm { id } } }`, { c: created.data.chatId });
    expect(unlinked.unlinkChat).toEqual({ id: created.data.chatId, crm: null });
    await h.ok(olena, `mutation($c: ID!) { unlinkChat(chatId: $c) { id } }`, { c: created.data.chatId });
    // Nor does matching relink a chat an employee unlinked.
    await h.publish(h.inboundMessage(created, { contact: { phone: '+380990000001', firstName: 'I' } }));

    await waitFor(async () => h.eventsOf(created.data.chatId).length === 4, { description: 'the employee events' });
    const events = h.eventsOf(created.data.chatId);
    expect(events.map((e) => [e.type, (e.data as { target?: { kind: string } }).target?.kind])).toEqual([
      ['crm.chat-linked', 'lead'],
      ['crm.chat-linked', 'order'],
      ['crm.chat-linked', 'client'],
      ['crm.chat-unlinked', undefined],
    ]);
    expect(events[1]!.data).toMatchObject({ origin: 'employee', byEmployeeId: olena.employeeId, previous: { kind: 'lead', id: lead.target_id } });
    expect(events[3]!.data).toMatchObject({ reason: 'employee', byEmployeeId: olena.employeeId, previous: { kind: 'client', id: client.id } });
    const marker2 = h.chatCreated({ customerId: randomUUID(), displayName: 'Marker 2' });
    await h.publish(marker2);
    await linked(marker2.data.chatId, { target_kind: 'lead' }, 'the second marker');
    expect(await h.linkOf(created.data.chatId)).toMatchObject({ target_kind: null, origin: 'employee' });
    expect(h.eventsOf(created.data.chatId)).toHaveLength(4);
  });

  it('refuses to link or show the link of a chat the caller may not see, and bad targets', async () => {
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Private' }, { visibleTo: [olena.employeeId] });
    await h.publish(created);
    const link = await linked(created.data.chatId, { target_kind: 'lead' }, 'the lead');
    const client = await h.crm.directory.createClient({ name: 'Target' });
    const linkAs = (as: Principal, target: { kind: string; id: string }) =>
      h.gql(as, `mutation($c: ID!, $t: LinkedEntityInput!) { linkChat(chatId: $c, target: $t) { id } }`, { c: created.data.chatId, t: target });

    expect(reasonOf(await linkAs(ivan, { kind: 'CLIENT', id: client.id }))).toEqual({ code: 'NOT_FOUND', reason: undefined });
    expect(reasonOf(await h.gql(ivan, `mutation($c: ID!) { unlinkChat(chatId: $c) { id } }`, { c: created.data.chatId }))).toEqual({ code: 'NOT_FOUND', reason: undefined });
    expect(reasonOf(await h.gql(ivan, `mutation($c: ID!, $t: LinkedEntityInput!) { linkChat(chatId: $c, target: $t) { id } }`, { c: randomUUID(), t: { kind: 'CLIENT', id: client.id } }))).toEqual({
      code: 'NOT_FOUND',
      reason: undefined,
    });
    expect(await panelOf(ivan, created.data.chatId)).toBeNull();
    expect(await panelOf(olena, created.data.chatId)).toMatchObject({ kind: 'LEAD', id: link.target_id });

    expect(reasonOf(await linkAs(olena, { kind: 'COMPANY', id: randomUUID() }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'UNSUPPORTED_TARGET' });
    expect(reasonOf(await linkAs(olena, { kind: 'LEAD', id: randomUUID() }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'TARGET_NOT_FOUND' });
    expect(reasonOf(await linkAs(olena, { kind: 'LEAD', id: 'crm-42' }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'TARGET_NOT_FOUND' });
    expect((await h.gql(olena, `mutation($t: LinkedEntityInput!) { linkChat(chatId: "nope", target: $t) { id } }`, { t: { kind: 'LEAD', id: link.target_id } })).errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'chatId',
    });
    expect(await h.linkOf(created.data.chatId)).toMatchObject({ target_kind: 'lead', origin: 'created' });
    const anonymous = await fetch(`${h.crm.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ crmSearch(query: "ab") { id } }' }) });
    expect(((await anonymous.json()) as GraphQLAnswer<unknown>).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('answers the panels of many chats in one request, each its own, and none the caller may not see', async () => {
    const client = await h.crm.directory.createClient({ name: 'Batch Client', socialProfiles: [{ kind: 'telegram', handle: 'batch_client' }] });
    const ofClient = h.chatCreated({ customerId: randomUUID(), displayName: 'B1', username: 'batch_client' }, { visibleTo: [olena.employeeId] });
    const ofLead = h.chatCreated({ customerId: randomUUID(), displayName: 'B2' }, { visibleTo: [olena.employeeId, ivan.employeeId] });
    const unlinked = h.chatCreated({ customerId: randomUUID(), displayName: 'B3' }, { visibleTo: [olena.employeeId] });
    await h.publish(ofClient, ofLead);
    await linked(ofClient.data.chatId, { target_kind: 'client' }, 'the client chat');
    const lead = await linked(ofLead.data.chatId, { target_kind: 'lead' }, 'the lead chat');
    const representations = [ofClient, ofLead, unlinked].map((c) => ({ __typename: 'Chat', id: c.data.chatId }));
    const panels = async (as: Principal) =>
      (await h.ok<{ _entities: { id: string; crm: { kind: string; id: string; name: string } | null }[] }>(as, `query($r: [_Any!]!) { _entities(representations: $r) { ... on Chat { id crm { kind id name } } } }`, { r: representations }))._entities;

    expect(await panels(olena)).toEqual([
      { id: ofClient.data.chatId, crm: { kind: 'CLIENT', id: client.id, name: 'Batch Client' } },
      { id: ofLead.data.chatId, crm: { kind: 'LEAD', id: lead.target_id, name: 'B2' } },
      { id: unlinked.data.chatId, crm: null },
    ]);
    expect((await panels(ivan)).map((p) => p.crm?.kind ?? null)).toEqual([null, 'LEAD', null]);
  });

  it("drops a deleted chat's link, once, and never links it again", async () => {
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Soon Gone' }, { visibleTo: [olena.employeeId] });
    await h.publish(created);
    const link = await linked(created.data.chatId, { target_kind: 'lead' }, 'the lead');
    const deleted = h.chatDeleted(created, olena.employeeId);
    await h.publish(deleted, deleted, created);
    await waitFor(async () => h.eventsOf(created.data.chatId).length === 2, { description: 'the unlink event' });
    const marker = h.chatCreated({ customerId: randomUUID(), displayName: 'Marker 3' });
    await h.publish(marker);
    await linked(marker.data.chatId, { target_kind: 'lead' }, 'the marker');

    expect(await h.linkOf(created.data.chatId)).toBeUndefined();
    const events = h.eventsOf(created.data.chatId);
    expect(types(events)).toEqual(['crm.chat-linked', 'crm.chat-unlinked']);
    expect(events[1]).toMatchObject({ causationId: deleted.id, data: { reason: 'chat-deleted', previous: { kind: 'lead', id: link.target_id } } });
    // The chat service may answer "visible" a moment longer; the link is refused anyway.
    const answer = await h.gql(olena, `mutation($c: ID!, $t: LinkedEntityInput!) { linkChat(chatId: $c, target: $t) { id } }`, { c: created.data.chatId, t: { kind: 'LEAD', id: link.target_id } });
    expect(reasonOf(answer)).toEqual({ code: 'NOT_FOUND', reason: undefined });
  });

  it('finds records for the picker by name, phone, e-mail and order number', async () => {
    const kovalenko = await h.crm.directory.createClient({ name: 'Ярослав Коваленко', phone: '+380 63 777 88 99', email: 'yarko@firma.ua' });
    const lead = await h.crm.directory.createLead({ title: 'Опт: ЗАМОВЛЕННЯ меблів', contactName: 'Юлія' });
    const order = await h.crm.directory.createOrder({ number: 'ZX-5501', clientId: kovalenko.id });
    type Hit = { kind: string; id: string; title: string; subtitle: string | null; url: string | null };
    const search = async (query: string, extra = '') =>
      (await h.ok<{ crmSearch: Hit[] }>(olena, `query($q: String!) { crmSearch(query: $q${extra}) { kind id title subtitle url } }`, { q: query })).crmSearch;

    expect((await search('коваленк')).map((hit) => hit.id)).toEqual([kovalenko.id]);
    expect((await search('063 777 88 99')).map((hit) => hit.id)).toContain(kovalenko.id);
    expect((await search('YARKO@firma')).map((hit) => hit.id)).toEqual([kovalenko.id]);
    expect(await search('zx-55')).toEqual([{ kind: 'ORDER', id: order.id, title: 'ZX-5501', subtitle: 'Ярослав Коваленко', url: `https://crm.example.com/orders/${order.id}` }]);
    expect((await search('замовлення мебл')).map((hit) => hit.id)).toEqual([lead.id]);
    expect(await search('замовлення', ', kinds: [CLIENT]')).toEqual([]);
    expect((await h.gql(olena, `{ crmSearch(query: "a") { id } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'query' });
    expect((await h.gql(olena, `{ crmSearch(query: "abc", first: 500) { id } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('adds directory records through GraphQL, validating them at the edge', async () => {
    const company = (await h.ok<{ createCrmCompany: { id: string; url: string | null } }>(olena, `mutation { createCrmCompany(input: { name: "ФОП Дуб", website: "https://dub.ua" }) { id url } }`)).createCrmCompany;
    expect(company.url).toBeNull();
    const client = (
      await h.ok<{ createCrmClient: { id: string; company: { id: string }; socialProfiles: { kind: string; handle: string }[]; url: string } }>(
        olena,
        `mutation($i: CreateCrmClientInput!) { createCrmClient(input: $i) { id company { id } socialProfiles { kind handle } url } }`,
        { i: { name: '  Олег Дуб ', phone: '+380 44 123 4567', companyId: company.id, socialProfiles: [{ kind: 'Instagram', handle: 'oleh.dub' }] } },
      )
    ).createCrmClient;
    expect(client).toMatchObject({ company: { id: company.id }, socialProfiles: [{ kind: 'instagram', handle: 'oleh.dub' }], url: `https://crm.example.com/clients/${client.id}` });
    const lead = await h.ok<{ createCrmLead: { client: { id: string }; status: string } }>(olena, `mutation($c: ID!) { createCrmLead(input: { title: "Оренда", contactName: "Олег", clientId: $c }) { client { id } status } }`, { c: client.id });
    expect(lead.createCrmLead).toEqual({ client: { id: client.id }, status: 'NEW' });
    await h.ok(olena, `mutation($c: ID!) { createCrmOrder(input: { number: "D-1", clientId: $c }) { id } }`, { c: client.id });

    expect(reasonOf(await h.gql(olena, `mutation($c: ID!) { createCrmOrder(input: { number: "D-1", clientId: $c }) { id } }`, { c: client.id }))).toEqual({ code: 'CONFLICT', reason: 'DUPLICATE' });
    expect(reasonOf(await h.gql(olena, `mutation($c: ID!) { createCrmOrder(input: { number: "D-2", clientId: $c }) { id } }`, { c: randomUUID() }))).toEqual({ code: 'BAD_USER_INPUT', reason: 'TARGET_NOT_FOUND' });
    expect((await h.gql(olena, `mutation { createCrmClient(input: { name: "X", phone: "call me" }) { id } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });
    expect((await h.gql(olena, `mutation { createCrmClient(input: { name: "X", email: "nope" }) { id } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect((await h.gql(olena, `mutation { createCrmClient(input: { name: " " }) { id } }`)).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
  });

  it('counts its own bus traffic and outbox backlog on /metrics under the names every service uses', async () => {
    const scrape = async () => (await fetch(`${h.crm.url}/metrics`)).text();
    const consumedBefore = sample(await scrape(), 'bus_records_consumed_total', { group: 'crm.chat-events', topic: TOPICS.chatEvents }) ?? 0;
    const publishedBefore = sample(await scrape(), 'bus_records_published_total', { topic: TOPICS.crmEvents }) ?? 0;
    const created = h.chatCreated({ customerId: randomUUID(), displayName: 'Metrics' });
    await h.publish(created);
    await linked(created.data.chatId, { target_kind: 'lead' }, 'the chat linked to a new lead');
    // The link event leaves through the outbox; the relay's publish is what the bus acknowledges and counts.
    const text = await waitFor(
      async () => {
        const scraped = await scrape();
        return (sample(scraped, 'bus_records_published_total', { topic: TOPICS.crmEvents }) ?? 0) > publishedBefore && sample(scraped, 'crm_outbox_backlog') === 0 && scraped;
      },
      { timeoutMs: 10_000, description: 'the link event to be counted as published and the outbox drained' },
    );
    expect(sample(text, 'bus_records_consumed_total', { group: 'crm.chat-events', topic: TOPICS.chatEvents })).toBeGreaterThan(consumedBefore);
    expect(sample(text, 'bus_consumer_lag', { group: 'crm.chat-events', topic: TOPICS.chatEvents })).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE bus_dead_letters_total counter');
  });
});

integrationSuite(['postgres'], 'crm service integration tests')('unmatched customers with CRM_UNMATCHED_CUSTOMER=none and =client', () => {
  const none = new CrmHarness();
  const client = new CrmHarness();
  beforeAll(async () => {
    await none.setUp('crm_none', { CRM_UNMATCHED_CUSTOMER: 'none' });
    await client.setUp('crm_client', { CRM_UNMATCHED_CUSTOMER: 'client' });
  });
  afterAll(async () => {
    await none.tearDown();
    await client.tearDown();
  });

  it('leaves them unlinked (none) until their phone matches, or makes them clients (client)', async () => {
    const known = await none.crm.directory.createClient({ name: 'Known', phone: '+380671110000' });
    const created = none.chatCreated({ customerId: randomUUID(), displayName: 'Nobody' });
    await none.publish(created, none.inboundMessage(created, { text: 'hello' }));
    const shared = none.inboundMessage(created, { contact: { phone: '+380671110000', firstName: 'N' } });
    await none.publish(shared);
    await waitFor(async () => (await none.linkOf(created.data.chatId))?.target_id === known.id, { description: 'the phone match' });
    expect(await none.query(`SELECT id FROM crm.leads`)).toEqual([]);

    const newcomer = client.chatCreated({ customerId: randomUUID(), displayName: 'Новий Клієнт', username: 'novyi' });
    await client.publish(newcomer, newcomer);
    const link = await waitFor(async () => client.linkOf(newcomer.data.chatId), { description: 'a client for the newcomer' });
    expect(link).toMatchObject({ target_kind: 'client', origin: 'created' });
    expect(await client.query(`SELECT name FROM crm.clients`)).toEqual([{ name: 'Новий Клієнт' }]);
    expect(await client.query(`SELECT id FROM crm.leads`)).toEqual([]);
  });
});
