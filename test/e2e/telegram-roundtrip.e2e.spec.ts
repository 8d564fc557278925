/**
 * Issue 3's end-to-end proof, on both runtimes and both Telegram modes: a customer writes to the bot,
 * the chat appears in the gateway's `chats` query, an operator replies through the gateway, the platform
 * receives sendMessage, and the message becomes SENT.
 */
import { waitFor } from '@switchboard/testing';
import { availableRuntimes } from './support/infra';
import { BOT, startTestStack, type TestStack } from './support/test-stack';

const CHATS = `query Chats { chats(first: 20) { totalCount edges { node {
  id number unanswered lastMessagePreview
  source { channel displayName }
  customer { displayName username profileUrl }
  status { code }
  messages(first: 20) { edges { node { id direction text deliveryState } } }
} } } }`;

type ChatsResult = {
  chats: {
    totalCount: number;
    edges: {
      node: {
        id: string;
        number: number;
        unanswered: boolean;
        lastMessagePreview: string;
        source: { channel: string; displayName: string };
        customer: { displayName: string; username: string | null; profileUrl: string | null };
        status: { code: string };
        messages: { edges: { node: { id: string; direction: string; text: string; deliveryState: string | null } }[] };
      };
    }[];
  };
};

describe.each(availableRuntimes())('Telegram round trip on the %s runtime', (runtime) => {
  describe.each(['webhook', 'polling'] as const)('%s mode', (telegramMode) => {
    let stack: TestStack;

    beforeAll(async () => {
      stack = await startTestStack({ runtime, telegramMode });
      const connected = await stack.client.request<{ connectTelegramBot: { connection: { mode: string } } }>(
        `mutation Connect($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { mode botUsername } } }`,
        { input: { token: BOT.token } },
      );
      expect(connected.connectTelegramBot.connection.mode).toBe(telegramMode.toUpperCase());
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('brings a customer message to the operator and the reply back to the customer', async () => {
      const customer = stack.telegram.customer(BOT.token, { id: 777001, firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k' });
      await customer.sendText('Добрий день! Де моє замовлення?');

      const chat = await waitFor(
        async () => {
          const data = await stack.client.request<ChatsResult>(CHATS);
          return data.chats.edges.find((e) => e.node.customer.username === 'oksana_k')?.node;
        },
        { timeoutMs: 20_000, description: 'the chat to appear in the gateway' },
      );
      expect(chat).toMatchObject({
        number: 1,
        unanswered: true,
        lastMessagePreview: 'Добрий день! Де моє замовлення?',
        source: { channel: 'TELEGRAM', displayName: `@${BOT.username}` },
        customer: { displayName: 'Оксана Коваль', profileUrl: 'https://t.me/oksana_k' },
        status: { code: 'new' },
      });
      expect(chat.messages.edges.map((e) => e.node)).toEqual([
        expect.objectContaining({ direction: 'INBOUND', text: 'Добрий день! Де моє замовлення?', deliveryState: null }),
      ]);

      const reply = await stack.client.request<{ sendMessage: { message: { id: string; deliveryState: string } } }>(
        `mutation Reply($input: SendMessageInput!) { sendMessage(input: $input) { message { id deliveryState } } }`,
        { input: { chatId: chat.id, text: 'Вже відправили, ось номер ТТН: 2045' } },
      );
      expect(reply.sendMessage.message.deliveryState).toBe('PENDING');

      const sent = await stack.telegram.waitForSent((s) => s.method === 'sendMessage' && s.text === 'Вже відправили, ось номер ТТН: 2045', 20_000);
      expect(String(sent.chatId)).toBe('777001');

      await waitFor(
        async () => {
          const data = await stack.client.request<ChatsResult>(CHATS);
          const node = data.chats.edges.find((e) => e.node.id === chat.id)?.node;
          const out = node?.messages.edges.find((e) => e.node.id === reply.sendMessage.message.id);
          return out?.node.deliveryState === 'SENT' && node?.unanswered === false;
        },
        { timeoutMs: 20_000, description: 'the reply to become SENT' },
      );
    });
  });
});
