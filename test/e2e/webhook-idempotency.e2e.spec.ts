/**
 * Issue 3, "Done when": Telegram may deliver the same update more than once (a lost 200, a retry after a
 * timeout, parallel connections). The same update_id posted 3 times one after another, and 3 times at
 * once, leaves exactly one message in the chat, as the operator sees it through the gateway.
 *
 * Forged (401), malformed (400) and unknown-kind (200, kept on messenger.unrecognised.v1) webhooks are
 * covered at the service level in services/channel-telegram/test/channel-telegram.integration.spec.ts
 * ("webhook" block), so this file covers the duplicate deliveries only.
 */
import { waitFor, type TelegramCustomer } from '@switchboard/testing';
import { availableRuntimes } from './support/infra';
import { postToWebhook, webhookEndpoint, type WebhookEndpoint } from './support/telegram-webhook';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const CHATS = `query Chats { chats(first: 50) { edges { node {
  id customer { username }
  messages(first: 50) { edges { node { id direction text } } }
} } } }`;

type ChatsResult = {
  chats: { edges: { node: { id: string; customer: { username: string | null }; messages: { edges: { node: { id: string; direction: string; text: string } }[] } } }[] };
};

describe.each(availableRuntimes())('webhook idempotency on the %s runtime', (runtime) => {
  let stack: TestStack;
  let endpoint: WebhookEndpoint;

  beforeAll(async () => {
    stack = await startTestStack({ runtime, telegramMode: 'webhook' });
    await stack.client.request(`mutation Connect($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token },
    });
    endpoint = webhookEndpoint(stack.telegram, BOT.token);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  /** The customer's chat texts (oldest first) once `marker` arrived; the marker follows the duplicates on the chat's partition. */
  async function textsUpTo(customer: TelegramCustomer, marker: string): Promise<string[]> {
    const username = customer.profile.username as string;
    const node = await waitFor(
      async () => {
        const data = await stack.client.request<ChatsResult>(CHATS);
        const chat = data.chats.edges.find((e) => e.node.customer.username === username)?.node;
        return chat?.messages.edges.some((e) => e.node.text === marker) ? chat : undefined;
      },
      { timeoutMs: 30_000, description: `"${marker}" in ${username}'s chat` },
    );
    return node.messages.edges.map((e) => e.node.text).reverse();
  }

  it('stores an update delivered 3 times in a row once', async () => {
    const customer = stack.telegram.customer(BOT.token, { id: 7_300_001, firstName: 'Sequential', username: `seq_${runtime}` });
    const { update } = customer.draftText('sent once, delivered three times');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect(await postToWebhook(endpoint, update)).toBe(200);
    }
    customer.sendText('marker after the sequential duplicates');

    expect(await textsUpTo(customer, 'marker after the sequential duplicates')).toEqual([
      'sent once, delivered three times',
      'marker after the sequential duplicates',
    ]);
  });

  it('stores an update delivered 3 times at once (a new chat) once', async () => {
    const customer = stack.telegram.customer(BOT.token, { id: 7_300_002, firstName: 'Concurrent', username: `conc_${runtime}` });
    const { update } = customer.draftText('first words, delivered three times at once');
    const body = JSON.stringify(update);
    expect(await Promise.all([postToWebhook(endpoint, body), postToWebhook(endpoint, body), postToWebhook(endpoint, body)])).toEqual([200, 200, 200]);
    customer.sendText('marker after the concurrent duplicates');

    expect(await textsUpTo(customer, 'marker after the concurrent duplicates')).toEqual([
      'first words, delivered three times at once',
      'marker after the concurrent duplicates',
    ]);
  });
});
