import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TelegramBotApiDouble, waitFor, type TgApiResponse, type TgMessage, type TgUpdate, type TgWebhookInfo } from '../src';

const TOKEN = '123456:TEST-token_abc';
const BOT = { token: TOKEN, id: 123456, username: 'switchboard_test_bot', firstName: 'Switchboard' };
const ALICE = { id: 5001, firstName: 'Alice', lastName: 'Liddell', username: 'alice', languageCode: 'en' };

/** A tiny webhook receiver standing in for the connector. */
class Receiver {
  readonly received: Array<{ headers: http.IncomingHttpHeaders; body: TgUpdate }> = [];
  statuses: number[] = [];
  delayMs = 0;
  concurrent = 0;
  maxConcurrent = 0;
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    this.concurrent += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as TgUpdate });
      setTimeout(() => {
        this.concurrent -= 1;
        res.statusCode = this.statuses.shift() ?? 200;
        res.end();
      }, this.delayMs);
    });
  });

  async start(port = 0): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/telegram/webhook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('TelegramBotApiDouble', () => {
  let telegram: TelegramBotApiDouble;

  async function call<T = unknown>(method: string, params: Record<string, unknown> = {}, token = TOKEN): Promise<{ status: number; body: TgApiResponse<T> }> {
    const response = await fetch(`${telegram.baseUrl}/bot${token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    return { status: response.status, body: (await response.json()) as TgApiResponse<T> };
  }

  async function result<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const { body } = await call<T>(method, params);
    if (!body.ok) throw new Error(`${method} failed: ${body.description}`);
    return body.result;
  }

  beforeEach(async () => {
    telegram = new TelegramBotApiDouble({ bots: [BOT], webhookRetryDelayMs: 50 });
    await telegram.start();
  });

  afterEach(async () => {
    await telegram.stop();
  });

  it('answers getMe and rejects unknown tokens with 401', async () => {
    const me = await result<{ id: number; is_bot: boolean; username: string }>('getMe');
    expect(me).toMatchObject({ id: BOT.id, is_bot: true, username: BOT.username, first_name: BOT.firstName });

    const unknown = await call('getMe', {}, '999:nope');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
  });

  it('accepts form-encoded bodies and query strings', async () => {
    telegram.customer(TOKEN, ALICE);
    const form = await fetch(`${telegram.baseUrl}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ chat_id: String(ALICE.id), text: 'via form' }).toString(),
    });
    expect(((await form.json()) as { result: TgMessage }).result.text).toBe('via form');

    const query = await fetch(`${telegram.baseUrl}/bot${TOKEN}/sendMessage?chat_id=${ALICE.id}&text=via%20query`);
    expect(((await query.json()) as { result: TgMessage }).result.text).toBe('via query');
  });

  describe('webhook', () => {
    let receiver: Receiver;
    beforeEach(() => {
      receiver = new Receiver();
    });
    afterEach(async () => {
      await receiver.stop();
    });

    it('delivers updates with the secret token header and clears them on 2xx', async () => {
      const url = await receiver.start();
      await result('setWebhook', { url, secret_token: 'sec_RET-1', max_connections: 1 });
      const alice = telegram.customer(BOT.username, ALICE);

      const first = alice.sendText('/start');
      const second = alice.sendText('hello');
      await telegram.waitUntilDrained(TOKEN);

      expect(receiver.received.map((r) => r.body)).toEqual([first.update, second.update]);
      expect(receiver.received[0]?.headers['x-telegram-bot-api-secret-token']).toBe('sec_RET-1');
      expect(receiver.received[0]?.headers['content-type']).toBe('application/json');
      expect(second.update.update_id).toBe(first.update.update_id + 1);
      expect(first.message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
      expect(first.message).toMatchObject({
        message_id: 1,
        from: { id: ALICE.id, is_bot: false, first_name: 'Alice', last_name: 'Liddell', username: 'alice', language_code: 'en' },
        chat: { id: ALICE.id, type: 'private', first_name: 'Alice' },
        text: '/start',
      });
      const info = await result<TgWebhookInfo>('getWebhookInfo');
      expect(info).toMatchObject({ url, pending_update_count: 0, max_connections: 1 });
    });

    it('keeps an update pending and retries after a non-2xx answer', async () => {
      const url = await receiver.start();
      receiver.statuses = [500, 503];
      await result('setWebhook', { url });
      const { update } = telegram.customer(TOKEN, ALICE).sendText('are you there?');

      await telegram.waitUntilDrained(TOKEN);
      expect(receiver.received.map((r) => r.body.update_id)).toEqual([update.update_id, update.update_id, update.update_id]);
      const info = telegram.webhookInfo(TOKEN);
      expect(info.pending_update_count).toBe(0);
      expect(info.last_error_message).toBe('Wrong response from the webhook: 503 Service Unavailable');
      expect(typeof info.last_error_date).toBe('number');
    });

    it('never has more than max_connections deliveries in flight', async () => {
      const url = await receiver.start();
      receiver.delayMs = 50;
      await result('setWebhook', { url, max_connections: 2 });
      const alice = telegram.customer(TOKEN, ALICE);
      for (let i = 0; i < 6; i += 1) alice.sendText(`message ${i}`);
      await telegram.waitUntilDrained(TOKEN);
      expect(receiver.received).toHaveLength(6);
      expect(receiver.maxConcurrent).toBe(2);
    });

    it('records a network failure in getWebhookInfo and delivers once the endpoint is up', async () => {
      const url = await receiver.start();
      await receiver.stop();
      await result('setWebhook', { url });
      telegram.customer(TOKEN, ALICE).sendText('anyone?');
      await waitFor(() => telegram.webhookInfo(TOKEN).last_error_message === 'Connection refused', { description: 'a refused delivery' });
      expect(telegram.webhookInfo(TOKEN).pending_update_count).toBe(1);

      receiver = new Receiver();
      await receiver.start(Number(new URL(url).port));
      await telegram.waitUntilDrained(TOKEN);
      expect(receiver.received).toHaveLength(1);
    });

    it('rejects a secret token with characters outside A-Za-z0-9_-', async () => {
      const url = await receiver.start();
      const response = await call('setWebhook', { url, secret_token: 'not allowed!' });
      expect(response.status).toBe(400);
      expect(response.body.ok).toBe(false);
    });

    it('answers getUpdates with 409 while a webhook is set', async () => {
      const url = await receiver.start();
      await result('setWebhook', { url });
      const response = await call('getUpdates');
      expect(response.status).toBe(409);
      expect(response.body).toEqual({
        ok: false,
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
      await result('deleteWebhook');
      expect((await call('getUpdates')).body).toEqual({ ok: true, result: [] });
    });
  });

  describe('getUpdates', () => {
    it('holds a long poll until a customer writes, and confirms below offset', async () => {
      const started = Date.now();
      const poll = call<TgUpdate[]>('getUpdates', { timeout: 10 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      const { update } = telegram.customer(TOKEN, ALICE).sendText('hi');

      const { body } = await poll;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(body).toEqual({ ok: true, result: [update] });

      // Not confirmed yet: returned again; confirmed by offset = last + 1.
      expect(await result<TgUpdate[]>('getUpdates')).toEqual([update]);
      expect(await result<TgUpdate[]>('getUpdates', { offset: update.update_id + 1 })).toEqual([]);
      expect(telegram.pendingUpdates(TOKEN)).toEqual([]);
    });

    it('ends an older long poll with 409 when a second one starts', async () => {
      const first = call('getUpdates', { timeout: 10 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const second = call('getUpdates', { timeout: 1 });
      expect(await first).toEqual({
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        },
      });
      expect((await second).body).toEqual({ ok: true, result: [] });
    });

    it('returns an empty list when the timeout passes', async () => {
      const started = Date.now();
      expect(await result<TgUpdate[]>('getUpdates', { timeout: 1 })).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('does not create reactions unless allowed_updates asks for them', async () => {
      const alice = telegram.customer(TOKEN, ALICE);
      const { message } = alice.sendText('rate me');
      expect(alice.react(message.message_id, '👍').queued).toBe(false);

      await result('getUpdates', { offset: -1, allowed_updates: ['message', 'message_reaction'] });
      const { update } = alice.react(message.message_id, '🔥');
      expect(update.message_reaction).toMatchObject({
        chat: { id: ALICE.id, type: 'private' },
        message_id: message.message_id,
        user: { id: ALICE.id },
        old_reaction: [{ type: 'emoji', emoji: '👍' }],
        new_reaction: [{ type: 'emoji', emoji: '🔥' }],
      });
      const updates = await result<TgUpdate[]>('getUpdates', { offset: update.update_id });
      expect(updates).toEqual([update]);
    });
  });

  describe('sending', () => {
    it('returns a full Message from the bot, numbered within the chat, replying to a customer message', async () => {
      const { message: incoming } = telegram.customer(TOKEN, ALICE).sendText('question');
      const sent = await result<TgMessage>('sendMessage', {
        chat_id: ALICE.id,
        text: 'answer',
        reply_parameters: { message_id: incoming.message_id },
      });
      expect(sent).toEqual({
        message_id: incoming.message_id + 1,
        from: { id: BOT.id, is_bot: true, first_name: BOT.firstName, username: BOT.username },
        chat: { id: ALICE.id, type: 'private', first_name: 'Alice', last_name: 'Liddell', username: 'alice' },
        date: expect.any(Number),
        reply_to_message: incoming,
        text: 'answer',
      });
      expect(telegram.sentMessages(TOKEN)).toEqual([
        expect.objectContaining({ method: 'sendMessage', chatId: ALICE.id, text: 'answer', replyToMessageId: incoming.message_id, message: sent }),
      ]);
      await expect(telegram.waitForSent((r) => r.text === 'answer', 100)).resolves.toMatchObject({ chatId: ALICE.id });
    });

    it('validates text and chat like Telegram', async () => {
      telegram.customer(TOKEN, ALICE);
      expect((await call('sendMessage', { chat_id: ALICE.id, text: '  ' })).body).toEqual({
        ok: false,
        error_code: 400,
        description: 'Bad Request: message text is empty',
      });
      expect((await call('sendMessage', { chat_id: ALICE.id, text: 'x'.repeat(4097) })).body).toMatchObject({
        error_code: 400,
        description: 'Bad Request: message is too long',
      });
      expect((await call('sendMessage', { chat_id: 777, text: 'hi' })).body).toMatchObject({
        error_code: 400,
        description: 'Bad Request: chat not found',
      });
    });

    it('injects 429 with retry_after for the next calls only', async () => {
      telegram.customer(TOKEN, ALICE);
      telegram.failNext(TOKEN, 'sendMessage', { errorCode: 429, retryAfter: 2, times: 2 });
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const limited = await call('sendMessage', { chat_id: ALICE.id, text: 'hi' });
        expect(limited.status).toBe(429);
        expect(limited.body).toEqual({
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 2',
          parameters: { retry_after: 2 },
        });
      }
      expect((await call('sendMessage', { chat_id: ALICE.id, text: 'hi' })).body.ok).toBe(true);
      const log = telegram.requestsFor(TOKEN, 'sendMessage');
      expect(log.map((entry) => entry.status)).toEqual([429, 429, 200]);
      expect(log[0]?.at).toEqual(expect.any(Number));
      expect(telegram.sentMessages(TOKEN)).toHaveLength(1);
    });

    it('answers 403 for every send once the customer blocked the bot', async () => {
      const alice = telegram.customer(TOKEN, ALICE);
      telegram.blockBy(ALICE.id);
      const blocked = await call('sendMessage', { chat_id: ALICE.id, text: 'hello?' });
      expect(blocked.status).toBe(403);
      expect(blocked.body).toEqual({ ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' });
      telegram.unblockBy(ALICE.id);
      expect((await call('sendMessage', { chat_id: ALICE.id, text: 'hello?' })).body.ok).toBe(true);

      const { update } = alice.blockBot();
      expect(update.my_chat_member).toMatchObject({ new_chat_member: { status: 'kicked' } });
      expect((await call('sendPhoto', { chat_id: ALICE.id, photo: 'https://example.com/a.jpg' })).status).toBe(403);
    });
  });

  describe('files', () => {
    it('serves a customer photo through getFile and the file download URL', async () => {
      const bytes = Buffer.from('not really a jpeg, but bytes all the same');
      const { message } = telegram.customer(TOKEN, ALICE).sendPhoto({ caption: 'look', bytes });
      const photo = message.photo ?? [];
      expect(photo).toHaveLength(3);
      expect(photo[2]?.width).toBeGreaterThan(photo[0]?.width ?? Infinity);
      const largest = photo[photo.length - 1]!;

      const file = await result<{ file_id: string; file_unique_id: string; file_size: number; file_path: string }>('getFile', {
        file_id: largest.file_id,
      });
      expect(file).toEqual({ file_id: largest.file_id, file_unique_id: largest.file_unique_id, file_size: bytes.length, file_path: expect.any(String) });

      const download = await fetch(`${telegram.baseUrl}/file/bot${TOKEN}/${file.file_path}`);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
      expect((await fetch(`${telegram.baseUrl}/file/bot${TOKEN}/photos/missing.jpg`)).status).toBe(404);
    });

    it('re-sends a photo by file_id and accepts multipart document uploads', async () => {
      const { message } = telegram.customer(TOKEN, ALICE).sendPhoto();
      const photo = await result<TgMessage>('sendPhoto', { chat_id: ALICE.id, photo: message.photo![2]!.file_id, caption: 'same' });
      expect(photo.photo).toEqual(message.photo);
      expect(photo.caption).toBe('same');

      const form = new FormData();
      form.set('chat_id', String(ALICE.id));
      form.set('document', new Blob([Buffer.from('%PDF-1.4')], { type: 'application/pdf' }), 'invoice.pdf');
      const upload = await fetch(`${telegram.baseUrl}/bot${TOKEN}/sendDocument`, { method: 'POST', body: form });
      const body = (await upload.json()) as { ok: boolean; result: TgMessage };
      expect(body.result.document).toMatchObject({ file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 8 });
    });
  });
});
