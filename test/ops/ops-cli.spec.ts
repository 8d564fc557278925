/*
 * The operations CLI against real PostgreSQL, run as operators run it (`node -r scripts/register.js
 * scripts/ops.ts ...` in a child process): dead letters listed and replayed on the log bus, and the
 * credential key of a connector rotated.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { CHANNEL_TELEGRAM_MIGRATIONS, CHANNEL_TELEGRAM_SCHEMA } from '@switchboard/channel-telegram';
import { CHANNEL_META_MIGRATIONS, CHANNEL_META_SCHEMA } from '@switchboard/channel-meta';
import { CHANNEL_VIBER_MIGRATIONS, CHANNEL_VIBER_SCHEMA } from '@switchboard/channel-viber';
import { CHANNEL_WHATSAPP_MIGRATIONS, CHANNEL_WHATSAPP_SCHEMA } from '@switchboard/channel-whatsapp';
import { EventBus, LOG_BUS_MIGRATIONS, LOG_BUS_SCHEMA, LogTransport, type ConsumerHandle } from '@switchboard/messaging';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { CredentialCipher, createLogger } from '@switchboard/service-kit';
import { createTestDatabase, integrationSuite, waitFor, type TestDatabase } from '@switchboard/testing';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

async function ops(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['-r', join(ROOT, 'scripts', 'register.js'), join(ROOT, 'scripts', 'ops.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function envelopeFor(key: string, text: string): string {
  return JSON.stringify({
    id: randomUUID(),
    type: 'ops-test.thing-happened',
    version: 1,
    time: new Date().toISOString(),
    producer: 'ops-test',
    key,
    correlationId: randomUUID(),
    data: { text },
  });
}

integrationSuite(['postgres'], 'ops CLI against PostgreSQL')('ops CLI (PostgreSQL)', () => {
  const logger = createLogger('ops-test', 'silent');
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('ops_cli');
    await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
  });
  afterAll(async () => {
    await database?.drop();
  });

  describe('dead letters on the log bus', () => {
    let bus: EventBus;
    let consumer: ConsumerHandle;
    /** Keys the handler refuses until the test "fixes the bug". */
    const poisoned = new Set(['chat-b']);
    const handled: { key: string; text: string; replayedFrom: string | undefined }[] = [];
    const topic = 'ops-test.events.v1';

    beforeAll(async () => {
      bus = new EventBus(new LogTransport({ databaseUrl: database.url, logger, pollIntervalMs: 50 }), logger);
      await bus.transport.connect();
      consumer = await bus.subscribe({
        group: 'ops-test.consumer',
        topics: [topic],
        backoff: { attempts: 2, baseDelayMs: 5, maxDelayMs: 10 },
        handler: async (records) => {
          for (const { record, envelope } of records) {
            if (poisoned.has(envelope.key)) throw new Error(`cannot handle ${envelope.key} yet`);
            handled.push({ key: envelope.key, text: (envelope.data as { text: string }).text, replayedFrom: record.headers['dlq-replayed-from'] });
          }
        },
      });
    });
    afterAll(async () => {
      await consumer?.stop();
      await bus?.close();
    });

    it('lists parked records, replays the selected one to its original topic, and refuses bad selections', async () => {
      await bus.transport.publish([
        { topic, key: 'chat-a', value: envelopeFor('chat-a', 'fine'), headers: { 'event-type': 'ops-test.thing-happened.v1' } },
        { topic, key: 'chat-b', value: envelopeFor('chat-b', 'poison'), headers: { 'event-type': 'ops-test.thing-happened.v1' } },
        { topic, key: 'chat-c', value: 'not even json' },
      ]);
      await waitFor(() => handled.some((h) => h.key === 'chat-a'), { timeoutMs: 20_000 });
      const env = { DATABASE_URL: database.url };
      const listed = await waitFor(
        async () => {
          const result = await ops(['dlq', 'list', topic, '--json'], env);
          const letters = JSON.parse(result.stdout || '[]') as { partition: number; offset: string; key: string; originalTopic: string; group: string; error: string }[];
          return letters.length === 2 ? letters : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 500, description: 'two dead letters' },
      );
      const poison = listed.find((l) => l.key === 'chat-b')!;
      expect(poison).toMatchObject({ originalTopic: topic, group: 'ops-test.consumer', error: 'cannot handle chat-b yet' });
      expect(listed.find((l) => l.key === 'chat-c')!.error).toMatch(/envelope|JSON/i);

      const human = await ops(['dlq', 'list', `${topic}.dlq`], env);
      expect(human.code).toBe(0);
      expect(human.stdout).toContain('2 dead letter(s) on ops-test.events.v1.dlq');

      // Wrong invocations change nothing and exit 64 (usage) or 1 (nothing at that offset).
      expect((await ops(['dlq', 'replay', topic], env)).code).toBe(64);
      const missing = await ops(['dlq', 'replay', topic, '--offset', '99:0'], env);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no dead letter at 99:0');

      const dry = await ops(['dlq', 'replay', topic, '--offset', `${poison.partition}:${poison.offset}`, '--dry-run'], env);
      expect(dry.stdout).toContain('would replay key=chat-b');

      // The bug is fixed; replay only the poison record.
      poisoned.clear();
      const replay = await ops(['dlq', 'replay', topic, '--offset', `${poison.partition}:${poison.offset}`], env);
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain('1 record(s) replayed');
      const again = await waitFor(() => handled.find((h) => h.key === 'chat-b'), { timeoutMs: 20_000 });
      expect(again).toEqual({ key: 'chat-b', text: 'poison', replayedFrom: `${topic}.dlq/${poison.partition}/${poison.offset}` });
      expect(handled.filter((h) => h.key === 'chat-a')).toHaveLength(1);
    });
  });

  describe('rotate-key', () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const bots = [
      { id: randomUUID(), botId: '700001', token: '700001:first-token' },
      { id: randomUUID(), botId: '700002', token: '700002:second-token' },
    ];
    let client: Client;

    async function stored(): Promise<Map<string, { botId: string; sealed: string }>> {
      const { rows } = await client.query<{ id: string; bot_id: string; token_ciphertext: string }>(
        `SELECT id, bot_id::text AS bot_id, token_ciphertext FROM ${CHANNEL_TELEGRAM_SCHEMA}.connections`,
      );
      return new Map(rows.map((r) => [r.id, { botId: r.bot_id, sealed: r.token_ciphertext }]));
    }

    beforeAll(async () => {
      const dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_TELEGRAM_SCHEMA, migrations: CHANNEL_TELEGRAM_MIGRATIONS, poolSize: 1 });
      await dataSource.initialize();
      await migrateSchema(dataSource, CHANNEL_TELEGRAM_SCHEMA);
      await dataSource.destroy();
      client = new Client({ connectionString: database.url });
      await client.connect();
      const cipher = new CredentialCipher(oldKey);
      for (const bot of bots) {
        // Sealed exactly as TelegramTokenVault does (bound to the bot id).
        await client.query(
          `INSERT INTO ${CHANNEL_TELEGRAM_SCHEMA}.connections (id, bot_id, bot_username, display_name, token_ciphertext, webhook_secret, mode, state)
           VALUES ($1, $2, $3, $3, $4, $5, 'polling', 'active')`,
          [bot.id, bot.botId, `bot_${bot.botId}`, cipher.encrypt(bot.token, `telegram-bot:${bot.botId}`), randomBytes(48).toString('base64url')],
        );
      }
    });
    afterAll(async () => {
      await client?.end();
    });

    it('refuses a wrong current key and changes nothing', async () => {
      const before = await stored();
      const wrong = await ops(['rotate-key', 'channel-telegram'], {
        DATABASE_URL: database.url,
        CREDENTIALS_KEY: randomBytes(32).toString('base64'),
        NEW_CREDENTIALS_KEY: newKey,
      });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain('2 credential(s) open with neither key; nothing was changed');
      expect(await stored()).toEqual(before);
      const badKey = await ops(['rotate-key', 'channel-telegram'], { DATABASE_URL: database.url, CREDENTIALS_KEY: 'short', NEW_CREDENTIALS_KEY: newKey });
      expect(badKey.code).toBe(1);
      expect(badKey.stderr).toContain('CREDENTIALS_KEY: must be 32 bytes encoded as base64');
      expect((await ops(['rotate-key', 'channel-nothing'], { DATABASE_URL: database.url })).code).toBe(64);
    });

    it('re-encrypts every stored token under the new key (dry run first), and a second run is a no-op', async () => {
      const env = { DATABASE_URL: database.url, CREDENTIALS_KEY: oldKey, NEW_CREDENTIALS_KEY: newKey };
      const before = await stored();
      const dry = await ops(['rotate-key', 'channel-telegram', '--dry-run'], env);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toContain('channel_telegram.connections.token_ciphertext: 2 re-encrypted');
      expect(await stored()).toEqual(before);

      const real = await ops(['rotate-key', 'channel-telegram'], env);
      expect(real.code).toBe(0);
      expect(real.stdout).toContain('2 re-encrypted, 0 already under the new key');
      const after = await stored();
      const fresh = new CredentialCipher(newKey);
      const stale = new CredentialCipher(oldKey);
      for (const bot of bots) {
        const row = after.get(bot.id)!;
        expect(row.sealed).not.toBe(before.get(bot.id)!.sealed);
        expect(fresh.decrypt(row.sealed, `telegram-bot:${bot.botId}`)).toBe(bot.token);
        expect(() => stale.decrypt(row.sealed, `telegram-bot:${bot.botId}`)).toThrow(/could not be decrypted/);
      }

      const repeat = await ops(['rotate-key', 'channel-telegram'], env);
      expect(repeat.code).toBe(0);
      expect(repeat.stdout).toContain('0 re-encrypted, 2 already under the new key');
      expect(await stored()).toEqual(after);
    });
  });

  describe('rotate-key for the other connectors (found by their *_CREDENTIAL_COLUMNS export)', () => {
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('base64');
    const cipher = new CredentialCipher(oldKey);
    let client: Client;
    /** One connection per connector, sealed with the associated data each connector's vault uses. */
    const rows = {
      viber: { id: randomUUID(), accountId: 'pa:5638101235437001', token: '4453b6ac17000001-e02c5f1217000001-daec9cbb57000001' },
      whatsapp: { id: randomUUID(), phoneNumberId: '106540352247001', accessToken: `EAAG${'w'.repeat(40)}`, appSecret: 'w'.repeat(32) },
      meta: { id: randomUUID(), pageId: '104857600007001', accessToken: `EAAB${'m'.repeat(40)}`, appSecret: 'm'.repeat(32) },
    };

    beforeAll(async () => {
      for (const [schema, migrations] of [
        [CHANNEL_VIBER_SCHEMA, CHANNEL_VIBER_MIGRATIONS],
        [CHANNEL_WHATSAPP_SCHEMA, CHANNEL_WHATSAPP_MIGRATIONS],
        [CHANNEL_META_SCHEMA, CHANNEL_META_MIGRATIONS],
      ] as const) {
        const dataSource = createServiceDataSource({ url: database.url, schema, migrations, poolSize: 1 });
        await dataSource.initialize();
        await migrateSchema(dataSource, schema);
        await dataSource.destroy();
      }
      client = new Client({ connectionString: database.url });
      await client.connect();
      const { viber, whatsapp, meta } = rows;
      await client.query(
        `INSERT INTO ${CHANNEL_VIBER_SCHEMA}.connections (id, account_id, account_name, display_name, sender_name, token_ciphertext, state)
         VALUES ($1, $2, 'Shop', 'Shop', 'Shop', $3, 'active')`,
        [viber.id, viber.accountId, cipher.encrypt(viber.token, `viber-bot:${viber.accountId}`)],
      );
      await client.query(
        `INSERT INTO ${CHANNEL_WHATSAPP_SCHEMA}.connections (id, phone_number_id, waba_id, display_phone_number, verified_name, display_name,
           access_token_ciphertext, app_secret_ciphertext, verify_token_sha256, state)
         VALUES ($1, $2, '102290129347001', '15550007001', 'Shop', 'Shop', $3, $4, $5, 'active')`,
        [
          whatsapp.id,
          whatsapp.phoneNumberId,
          cipher.encrypt(whatsapp.accessToken, `whatsapp-token:${whatsapp.phoneNumberId}`),
          cipher.encrypt(whatsapp.appSecret, `whatsapp-app-secret:${whatsapp.phoneNumberId}`),
          'f'.repeat(64),
        ],
      );
      await client.query(
        `INSERT INTO ${CHANNEL_META_SCHEMA}.connections (id, page_id, page_name, display_name, access_token_ciphertext, app_secret_ciphertext, verify_token_sha256, state)
         VALUES ($1, $2, 'Shop', 'Shop', $3, $4, $5, 'active')`,
        [meta.id, meta.pageId, cipher.encrypt(meta.accessToken, `meta-token:${meta.pageId}`), cipher.encrypt(meta.appSecret, `meta-app-secret:${meta.pageId}`), 'e'.repeat(64)],
      );
    });
    afterAll(async () => {
      await client?.end();
    });

    it.each([
      ['channel-viber', [`${CHANNEL_VIBER_SCHEMA}.connections.token_ciphertext`]],
      ['channel-whatsapp', [`${CHANNEL_WHATSAPP_SCHEMA}.connections.access_token_ciphertext`, `${CHANNEL_WHATSAPP_SCHEMA}.connections.app_secret_ciphertext`]],
      ['channel-meta', [`${CHANNEL_META_SCHEMA}.connections.access_token_ciphertext`, `${CHANNEL_META_SCHEMA}.connections.app_secret_ciphertext`]],
    ])('%s: dry run, rotation, then a no-op re-run', async (service, columns) => {
      const env = { DATABASE_URL: database.url, CREDENTIALS_KEY: oldKey, NEW_CREDENTIALS_KEY: newKey };
      const dry = await ops(['rotate-key', service, '--dry-run'], env);
      expect(dry.code).toBe(0);
      for (const column of columns) expect(dry.stdout).toContain(`${column}: 1 re-encrypted, 0 already under the new key`);
      const real = await ops(['rotate-key', service], env);
      expect(real.code).toBe(0);
      for (const column of columns) expect(real.stdout).toContain(`${column}: 1 re-encrypted, 0 already under the new key`);
      const repeat = await ops(['rotate-key', service], env);
      expect(repeat.code).toBe(0);
      for (const column of columns) expect(repeat.stdout).toContain(`${column}: 0 re-encrypted, 1 already under the new key`);
    });

    it('leaves every credential readable with the new key only', async () => {
      const fresh = new CredentialCipher(newKey);
      const { viber, whatsapp, meta } = rows;
      const one = async (sql: string, id: string) => (await client.query<Record<string, string>>(sql, [id])).rows[0]!;
      const v = await one(`SELECT token_ciphertext FROM ${CHANNEL_VIBER_SCHEMA}.connections WHERE id = $1`, viber.id);
      expect(fresh.decrypt(v['token_ciphertext']!, `viber-bot:${viber.accountId}`)).toBe(viber.token);
      const w = await one(`SELECT access_token_ciphertext, app_secret_ciphertext FROM ${CHANNEL_WHATSAPP_SCHEMA}.connections WHERE id = $1`, whatsapp.id);
      expect(fresh.decrypt(w['access_token_ciphertext']!, `whatsapp-token:${whatsapp.phoneNumberId}`)).toBe(whatsapp.accessToken);
      expect(fresh.decrypt(w['app_secret_ciphertext']!, `whatsapp-app-secret:${whatsapp.phoneNumberId}`)).toBe(whatsapp.appSecret);
      const m = await one(`SELECT access_token_ciphertext, app_secret_ciphertext FROM ${CHANNEL_META_SCHEMA}.connections WHERE id = $1`, meta.id);
      expect(fresh.decrypt(m['access_token_ciphertext']!, `meta-token:${meta.pageId}`)).toBe(meta.accessToken);
      expect(() => cipher.decrypt(m['app_secret_ciphertext']!, `meta-app-secret:${meta.pageId}`)).toThrow(/could not be decrypted/);
    });
  });
});
