import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FIRST_VIBER_TOKEN, ViberApiDouble, encodeViberCallback, viberCallbacks } from '../src';

const BOT = { token: 'aaaa1111bbbb2222-cccc3333dddd4444-eeee5555ffff6666', id: 'pa:1', name: 'Double Bot' };

/** A webhook receiver recording raw bodies and signature headers. */
async function receiver(status = 200): Promise<{ url: string; calls: Array<{ raw: string; signature: string | undefined }>; close(): Promise<void> }> {
  const calls: Array<{ raw: string; signature: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls.push({ raw: Buffer.concat(chunks).toString('utf8'), signature: req.headers['x-viber-content-signature'] as string | undefined });
      res.writeHead(status).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

async function call(double: ViberApiDouble, method: string, body: unknown, token = BOT.token): Promise<string> {
  const response = await fetch(`${double.baseUrl}/${method}`, { method: 'POST', headers: { 'x-viber-auth-token': token }, body: JSON.stringify(body) });
  return response.text();
}

describe('ViberApiDouble', () => {
  let double: ViberApiDouble;
  beforeEach(async () => {
    double = new ViberApiDouble({ bots: [BOT] });
    await double.start();
  });
  afterEach(() => double.stop());

  it('answers an unknown token with status 2, as Viber does', async () => {
    expect(JSON.parse(await call(double, 'get_account_info', {}, 'nope'))).toEqual({ status: 2, status_message: 'invalidAuthToken' });
  });

  it('verifies the webhook with a signed "webhook" callback and refuses URLs that do not answer 200', async () => {
    const good = await receiver();
    const bad = await receiver(500);
    try {
      expect(JSON.parse(await call(double, 'set_webhook', { url: bad.url }))).toMatchObject({ status: 1 });
      expect(JSON.parse(await call(double, 'set_webhook', { url: good.url, event_types: ['delivered'] }))).toMatchObject({ status: 0 });
      const [check] = good.calls;
      expect(JSON.parse(check!.raw)).toMatchObject({ event: 'webhook' });
      expect(check!.signature).toBe(createHmac('sha256', BOT.token).update(check!.raw).digest('hex'));
      expect(double.webhookOf(BOT.token)).toEqual({ url: good.url, eventTypes: ['delivered'] });
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('writes 64-bit message tokens as bare integers beyond 2^53', async () => {
    const hook = await receiver();
    try {
      await call(double, 'set_webhook', { url: hook.url });
      double.setSubscribed(BOT.token, 'u1', true);
      const raw = await call(double, 'send_message', { receiver: 'u1', sender: { name: 'Shop' }, type: 'text', text: 'hi' });
      const token = /"message_token":(\d+)/.exec(raw)?.[1];
      expect(token).toBeDefined();
      expect(BigInt(token!)).toBeGreaterThanOrEqual(FIRST_VIBER_TOKEN);
      expect(double.sentMessages(BOT.token)).toEqual([expect.objectContaining({ receiver: 'u1', messageToken: token })]);
      expect(encodeViberCallback(viberCallbacks.delivered({ token: token!, userId: 'u1' }))).toContain(`"message_token":${token}`);
    } finally {
      await hook.close();
    }
  });

  it('answers send_message with Viber status codes: not subscribed, webhook not set, injected ones', async () => {
    const send = () => call(double, 'send_message', { receiver: 'u2', sender: { name: 'Shop' }, type: 'text', text: 'hi' }).then((t) => JSON.parse(t) as { status: number });
    expect((await send()).status).toBe(10);
    const hook = await receiver();
    try {
      await call(double, 'set_webhook', { url: hook.url });
      expect((await send()).status).toBe(6);
      double.setSubscribed(BOT.token, 'u2', true);
      double.injectSendStatus(BOT.token, 12);
      expect((await send()).status).toBe(12);
      expect((await send()).status).toBe(0);
    } finally {
      await hook.close();
    }
  });

  it('serves hosted media until expired', async () => {
    const url = double.hostMedia(Buffer.from('png-bytes'), 'image/png');
    const ok = await fetch(url);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(await ok.text()).toBe('png-bytes');
    double.expireMedia(url);
    expect((await fetch(url)).status).toBe(403);
  });
});
