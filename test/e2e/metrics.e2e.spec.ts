/**
 * /metrics values asserted after real traffic (issue 8): a Telegram round trip through the standalone stack
 * (webhook in, reply out), a reply to a customer who blocked the bot (a send failure with its reason), a
 * record that breaks the contract (parked on the dead-letter topic), and a live subscriber on the gateway.
 * Each service's /metrics is scraped and the key series must exist and have moved.
 */
import { TOPICS } from '@switchboard/contracts';
import { waitFor } from '@switchboard/testing';
import { baseMetricOf, dashboardQueries, selectorsOf } from '../support/dashboard-metrics';
import { LiveSubscriber } from './support/live-client';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const CHATS = `{ chats(first: 20) { edges { node { id customer { username } messages(first: 20) { edges { node { id deliveryState } } } } } } }`;
type ChatsResult = {
  chats: { edges: { node: { id: string; customer: { username: string | null }; messages: { edges: { node: { id: string; deliveryState: string | null } }[] } } }[] };
};

/** The value of one sample `name{labels...}` (labels matched as given, in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.slice(name.length).split('} ')[0] ?? '';
    if (!Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await fetch(new URL('/metrics', baseUrl));
  expect(response.status).toBe(200);
  return response.text();
}

describe('Prometheus metrics after a Telegram round trip (standalone)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ runtime: 'standalone', telegramMode: 'webhook' });
    await stack.client.request(`mutation($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function chatOf(username: string): Promise<string> {
    return waitFor(
      async () => (await stack.client.request<ChatsResult>(CHATS)).chats.edges.find((e) => e.node.customer.username === username)?.node.id,
      { timeoutMs: 20_000, description: `the chat of ${username}` },
    );
  }

  it('exposes webhook latency, inbound/outbound rates, lag, outbox backlog, DLQ size, subscriptions and send failures', async () => {
    const live = new LiveSubscriber(stack.switchboard.gateway.url, stack.client.token!);
    try {
      await live.connect();
      // 1. A customer writes (webhook -> bus -> chat) and gets an answer (chat -> bus -> Telegram).
      const customer = stack.telegram.customer(BOT.token, { id: 881001, firstName: 'Taras', username: 'taras_m' });
      await customer.sendText('Чи є доставка до Львова?');
      const chatId = await chatOf('taras_m');
      await stack.client.request(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`, {
        input: { chatId, text: 'Так, 1-2 дні.' },
      });
      await stack.telegram.waitForSent((s) => s.text === 'Так, 1-2 дні.', 20_000);

      // 2. A customer who blocked the bot: the send fails with reason "blocked".
      const blocked = stack.telegram.customer(BOT.token, { id: 881002, firstName: 'Iryna', username: 'iryna_b' });
      await blocked.sendText('Привіт');
      const blockedChat = await chatOf('iryna_b');
      stack.telegram.blockBy(881002, BOT.token);
      await stack.client.request(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`, {
        input: { chatId: blockedChat, text: 'Вітаємо!' },
      });

      // 3. A record on the inbound topic that breaks its contract: parked on messenger.inbound.v1.dlq.
      await stack.switchboard.bus.transport.publish([{ topic: TOPICS.inbound, key: 'poison', value: 'not an envelope' }]);

      const { gateway, urls } = stack.switchboard;
      const channelTelegram = { url: urls.channelTelegram };
      const chat = { url: urls.chat };
      await waitFor(
        async () => {
          const text = await scrape(channelTelegram.url);
          return (sample(text, 'telegram_send_failures_total', { reason: 'blocked' }) ?? 0) >= 1;
        },
        { timeoutMs: 20_000, description: 'the blocked send to be counted' },
      );
      await waitFor(
        async () => (sample(await scrape(chat.url), 'bus_dead_letters_total', { topic: TOPICS.inbound, group: 'chat.inbound' }) ?? 0) >= 1,
        { timeoutMs: 20_000, description: 'the poison record to be dead-lettered' },
      );

      // The relay and the consumers drain asynchronously (the blocked send's result may still be in the
      // outbox when its failure is counted): wait for the backlogs and the lag to reach 0, then read.
      await waitFor(
        async () => {
          const text = await scrape(channelTelegram.url);
          const identity = await scrape(stack.switchboard.identity.url);
          return (
            sample(text, 'telegram_outbox_backlog') === 0 &&
            sample(text, 'bus_consumer_lag', { group: 'channel-telegram', topic: 'messenger.outbound.telegram.v1' }) === 0 &&
            sample(identity, 'identity_outbox_backlog') === 0
          );
        },
        { timeoutMs: 20_000, description: 'outboxes drained and the outbound consumer caught up' },
      );
      const telegram = await scrape(channelTelegram.url);
      // Webhook latency: a histogram with every answered webhook (two customer messages, both 200).
      expect(sample(telegram, 'telegram_webhook_duration_seconds_count', { status: '200' })).toBeGreaterThanOrEqual(2);
      // Inbound rate: updates published by the connector; outbound: sends and results.
      expect(sample(telegram, 'bus_records_published_total', { topic: TOPICS.inbound })).toBeGreaterThanOrEqual(2);
      expect(sample(telegram, 'telegram_inbound_events_total')).toBeGreaterThanOrEqual(2);
      expect(sample(telegram, 'telegram_outbound_sends_total', { method: 'sendMessage' })).toBeGreaterThanOrEqual(1);
      expect(sample(telegram, 'bus_records_consumed_total', { group: 'channel-telegram', topic: 'messenger.outbound.telegram.v1' })).toBeGreaterThanOrEqual(2);
      expect(sample(telegram, 'bus_consumer_lag', { group: 'channel-telegram', topic: 'messenger.outbound.telegram.v1' })).toBe(0);
      expect(sample(telegram, 'telegram_outbox_backlog')).toBe(0);

      const chatText = await scrape(chat.url);
      expect(sample(chatText, 'bus_records_consumed_total', { group: 'chat.inbound', topic: TOPICS.inbound })).toBeGreaterThanOrEqual(2);
      expect(sample(chatText, 'bus_records_published_total', { topic: 'messenger.outbound.telegram.v1' })).toBeGreaterThanOrEqual(2);
      expect(sample(chatText, 'bus_records_published_total', { topic: TOPICS.chatEvents })).toBeGreaterThanOrEqual(2);
      expect(sample(chatText, 'bus_consumer_lag', { group: 'chat.inbound', topic: TOPICS.inbound })).toBeDefined();
      expect(sample(chatText, 'bus_dead_letters_total', { topic: TOPICS.inbound, group: 'chat.inbound' })).toBe(1);
      expect(sample(chatText, 'chat_outbox_backlog')).toBeDefined();

      const gatewayText = await scrape(gateway.url);
      expect(sample(gatewayText, 'gateway_live_subscribers')).toBe(1);

      const identityText = await scrape(stack.switchboard.identity.url);
      expect(sample(identityText, 'identity_logins_total', { outcome: 'success' })).toBeGreaterThanOrEqual(1);
      expect(sample(identityText, 'identity_outbox_backlog')).toBe(0);
    } finally {
      await live.disconnect();
    }
  });

  it('exposes every metric the Grafana dashboard (deploy/grafana/switchboard.json) queries', async () => {
    // Every service of the stack, scraped as Prometheus would. prom-client prints # TYPE for a registered
    // metric even before its first sample, so this checks registration, not traffic.
    const { switchboard } = stack;
    // Each service with the outbox backlog gauge it must have (files publishes nothing: no outbox).
    const services: [string, { url: string }, string | null][] = [
      ['identity', switchboard.identity, 'identity_outbox_backlog'],
      ['chat', { url: switchboard.urls.chat }, 'chat_outbox_backlog'],
      ['channel-telegram', { url: switchboard.urls.channelTelegram }, 'telegram_outbox_backlog'],
      ['channel-viber', switchboard.channelViber, 'viber_outbox_backlog'],
      ['channel-whatsapp', { url: switchboard.urls.channelWhatsApp }, 'whatsapp_outbox_backlog'],
      ['channel-meta', switchboard.channelMeta, 'meta_outbox_backlog'],
      ['channel-bridge', switchboard.channelBridge, 'bridge_outbox_backlog'],
      ['tasks', switchboard.tasks, 'tasks_outbox_backlog'],
      ['crm', switchboard.crm, 'crm_outbox_backlog'],
      ['files', switchboard.files, null],
    ];
    const typesOf = (text: string) => new Set(text.split('\n').flatMap((line) => /^# TYPE (\S+) /.exec(line)?.[1] ?? []));
    const exposed = typesOf(await scrape(switchboard.gateway.url));
    const lacking: string[] = [];
    for (const [name, service, backlog] of services) {
      const types = typesOf(await scrape(service.url));
      for (const type of types) exposed.add(type);
      // The shared bus series (observeBus) and the outbox gauge, in every service that uses the bus.
      for (const metric of ['bus_records_published_total', 'bus_records_consumed_total', 'bus_consumer_lag', 'bus_dead_letters_total', ...(backlog ? [backlog] : [])]) {
        if (!types.has(metric)) lacking.push(`${name}: ${metric}`);
      }
    }
    expect(lacking).toEqual([]);
    const missing = dashboardQueries().flatMap(({ panel, expr }) =>
      selectorsOf(expr)
        .map((s) => s.metric)
        .filter((metric) => !exposed.has(baseMetricOf(metric, exposed)))
        .map((metric) => `${panel}: ${metric}`),
    );
    expect(missing).toEqual([]);
  });
});
