import { TelegramUserCloudDouble, TelegramUserRpcErrorDouble } from '@switchboard/testing';
import { randomUUID } from 'node:crypto';
import { randomIdOf, sendCommand, splitText, TELEGRAM_TEXT_LIMIT, type TelegramUserClient } from '../src';

const ACCOUNT = { userId: '100', phone: '+380500000001', firstName: 'Shop' };
const CUSTOMER = { userId: '200', firstName: 'Оксана' };

async function loggedIn(cloud: TelegramUserCloudDouble): Promise<TelegramUserClient> {
  const login = cloud.factory('');
  await login.connect();
  const { phoneCodeHash } = await login.sendCode(ACCOUNT.phone);
  await login.signIn({ phone: ACCOUNT.phone, phoneCodeHash, code: cloud.codeFor(ACCOUNT.phone) });
  const session = login.exportSession();
  await login.disconnect();
  const client: TelegramUserClient = cloud.factory(session);
  await client.connect();
  return client;
}

function command(text: string, extra: { attachments?: boolean } = {}) {
  return {
    commandId: randomUUID(),
    chatKey: 'c:200',
    connection: { id: randomUUID(), channel: 'telegram-user' as const, displayName: 'Shop' },
    externalChatId: CUSTOMER.userId,
    text,
    attachments: extra.attachments ? [{ fileId: 'f', url: 'https://files.example/f', fileName: 'a.pdf', mimeType: 'application/pdf', sizeBytes: 1 }] : [],
    requestedAt: new Date().toISOString(),
  };
}

describe('sendCommand', () => {
  let cloud: TelegramUserCloudDouble;
  let client: TelegramUserClient;
  let peer: { userId: string; accessHash: string };
  const waits: number[] = [];
  const policy = { attempts: 3, floodWaitMaxSeconds: 10, wait: async (seconds: number) => (waits.push(seconds), true) };

  beforeEach(async () => {
    waits.length = 0;
    cloud = new TelegramUserCloudDouble();
    cloud.addAccount(ACCOUNT);
    cloud.addCustomer(CUSTOMER);
    client = await loggedIn(cloud);
    cloud.customerWrites(ACCOUNT.userId, CUSTOMER.userId, { text: 'hi' });
    const { users } = await client.getDialogs({ limit: 10 });
    peer = { userId: CUSTOMER.userId, accessHash: users[0]!.accessHash!.toString() };
  });

  it('splits long texts into parts of at most 4096 characters, in order, reporting the first id', async () => {
    const text = 'а'.repeat(TELEGRAM_TEXT_LIMIT) + 'б'.repeat(10);
    const result = await sendCommand(client, command(text), peer, policy);
    const sent = cloud.sentBy(ACCOUNT.userId);
    expect(sent.map((s) => s.text.length)).toEqual([TELEGRAM_TEXT_LIMIT, 10]);
    expect(result).toEqual({ state: 'sent', messageId: sent[0]!.id });
    expect(splitText('x'.repeat(TELEGRAM_TEXT_LIMIT))).toHaveLength(1);
  });

  it('waits out flood waits within the limit and gives up after the attempt budget', async () => {
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 3));
    expect((await sendCommand(client, command('раз'), peer, policy)).state).toBe('sent');
    expect(waits).toEqual([3]);
    cloud.failNextSends(ACCOUNT.userId, ...[1, 2, 3].map(() => new TelegramUserRpcErrorDouble('FLOOD_WAIT', 420, 2)));
    const result = await sendCommand(client, command('два'), peer, policy);
    expect(result).toMatchObject({ state: 'failed', code: 'rate_limited' });
    expect(result.state === 'failed' && result.message).toContain('after 3 attempts');
  });

  it('classifies Telegram refusals: PEER_FLOOD flags the account, dead sessions, blocked customers', async () => {
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('PEER_FLOOD', 400));
    expect(await sendCommand(client, command('x'), peer, policy)).toMatchObject({ state: 'failed', code: 'rate_limited', accountProblem: expect.stringContaining('PEER_FLOOD') });
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('USER_IS_BLOCKED', 400));
    expect(await sendCommand(client, command('x'), peer, policy)).toMatchObject({ state: 'failed', code: 'blocked' });
    cloud.failNextSends(ACCOUNT.userId, new TelegramUserRpcErrorDouble('AUTH_KEY_UNREGISTERED', 401));
    expect(await sendCommand(client, command('x'), peer, policy)).toMatchObject({ state: 'failed', code: 'unauthorized', sessionDead: true });
    expect(await sendCommand(client, command('x', { attachments: true }), peer, policy)).toMatchObject({ state: 'failed', code: 'invalid_request' });
    expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(0);
  });

  it('derives a stable randomId per command part, so Telegram drops a retried duplicate', async () => {
    const same = command('один раз');
    expect(randomIdOf(same.commandId, 0)).toBe(randomIdOf(same.commandId, 0));
    expect(randomIdOf(same.commandId, 0)).not.toBe(randomIdOf(same.commandId, 1));
    expect((await sendCommand(client, same, peer, policy)).state).toBe('sent');
    expect(await sendCommand(client, same, peer, policy)).toMatchObject({ state: 'failed', code: 'unknown' });
    expect(cloud.sentBy(ACCOUNT.userId)).toHaveLength(1);
  });
});
