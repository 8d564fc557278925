/**
 * CHANNEL_VIBER_CREDENTIAL_COLUMNS against the real table: `npm run ops -- rotate-key channel-viber`
 * re-encrypts every sealed bot token so the connector's vault opens it with the new key, a wrong old key
 * changes nothing, and a second run is a no-op.
 */
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { CredentialCipher, CredentialDecryptionError, CredentialRotationError, rotateCredentials } from '@switchboard/service-kit';
import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { CHANNEL_VIBER_CREDENTIAL_COLUMNS, CHANNEL_VIBER_MIGRATIONS, CHANNEL_VIBER_SCHEMA } from '../src';
import { ViberTokenVault } from '../src/viber-token.vault';

integrationSuite(['postgres'], 'channel-viber credential rotation')('channel-viber credential columns (key rotation)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const bots = [
    { id: randomUUID(), accountId: 'pa:5638101235430001', token: '4453b6ac10000001-e02c5f1210000001-daec9cbb50000001' },
    { id: randomUUID(), accountId: 'pa:5638101235430002', token: '4453b6ac10000002-e02c5f1210000002-daec9cbb50000002' },
  ];
  let database: TestDatabase;
  let client: Client;

  const stored = async () =>
    (await client.query<{ id: string; account_id: string; token_ciphertext: string }>(`SELECT id, account_id, token_ciphertext FROM ${CHANNEL_VIBER_SCHEMA}.connections ORDER BY id`)).rows;

  beforeAll(async () => {
    database = await createTestDatabase('channel_viber_rotation');
    const dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_VIBER_SCHEMA, migrations: CHANNEL_VIBER_MIGRATIONS, poolSize: 1 });
    await dataSource.initialize();
    await migrateSchema(dataSource, CHANNEL_VIBER_SCHEMA);
    await dataSource.destroy();
    client = new Client({ connectionString: database.url });
    await client.connect();
    const vault = new ViberTokenVault(new CredentialCipher(oldKey));
    for (const bot of bots) {
      // Sealed by the connector's own vault, so the spec is checked against what the service really writes.
      await client.query(
        `INSERT INTO ${CHANNEL_VIBER_SCHEMA}.connections (id, account_id, account_name, display_name, sender_name, token_ciphertext, state)
         VALUES ($1, $2, 'Shop', 'Shop', 'Shop', $3, 'active')`,
        [bot.id, bot.accountId, vault.seal(bot.token, bot.accountId)],
      );
    }
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('refuses a wrong old key and changes nothing', async () => {
    const before = await stored();
    await expect(rotateCredentials({ client, specs: CHANNEL_VIBER_CREDENTIAL_COLUMNS, oldKey: randomBytes(32).toString('base64'), newKey })).rejects.toBeInstanceOf(
      CredentialRotationError,
    );
    expect(await stored()).toEqual(before);
  });

  it('re-encrypts every bot token so the vault opens it with the new key only; a second run is a no-op', async () => {
    const report = await rotateCredentials({ client, specs: CHANNEL_VIBER_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(report.map((r) => [r.cipherColumn, r.rotated, r.alreadyRotated])).toEqual([['token_ciphertext', 2, 0]]);
    const withNewKey = new ViberTokenVault(new CredentialCipher(newKey));
    const withOldKey = new ViberTokenVault(new CredentialCipher(oldKey));
    for (const row of await stored()) {
      const bot = bots.find((b) => b.id === row.id)!;
      expect(withNewKey.open({ tokenCiphertext: row.token_ciphertext, accountId: row.account_id })).toBe(bot.token);
      expect(() => withOldKey.open({ tokenCiphertext: row.token_ciphertext, accountId: row.account_id })).toThrow(CredentialDecryptionError);
    }
    const again = await rotateCredentials({ client, specs: CHANNEL_VIBER_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(again.map((r) => [r.rotated, r.alreadyRotated])).toEqual([[0, 2]]);
  });
});
