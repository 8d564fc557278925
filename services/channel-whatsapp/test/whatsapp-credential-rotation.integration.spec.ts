/**
 * CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS against the real table: `npm run ops -- rotate-key channel-whatsapp`
 * re-encrypts both sealed columns so the connector's vault opens them with the new key, a wrong old key
 * changes nothing, and a second run is a no-op.
 */
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { CredentialCipher, CredentialDecryptionError, CredentialRotationError, rotateCredentials } from '@switchboard/service-kit';
import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS, CHANNEL_WHATSAPP_MIGRATIONS, CHANNEL_WHATSAPP_SCHEMA } from '../src';
import { WhatsAppConnectionRepository } from '../src/connections/whatsapp-connection.repository';
import { WhatsAppCredentialsVault, verifyTokenHash } from '../src/connections/whatsapp-credentials.vault';

integrationSuite(['postgres'], 'channel-whatsapp credential rotation')('channel-whatsapp credential columns (key rotation)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let database: TestDatabase;
  let dataSource: DataSource;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase('channel_whatsapp_rotation');
    dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_WHATSAPP_SCHEMA, migrations: CHANNEL_WHATSAPP_MIGRATIONS });
    await dataSource.initialize();
    await migrateSchema(dataSource, CHANNEL_WHATSAPP_SCHEMA);
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('re-encrypts the access token and the app secret of every number; a wrong key changes nothing; a second run is a no-op', async () => {
    const repository = new WhatsAppConnectionRepository(dataSource);
    const numbers = [
      { phoneNumberId: '106540352240101', accessToken: `EAAG${'a'.repeat(40)}`, appSecret: 'a'.repeat(32) },
      { phoneNumberId: '106540352240102', accessToken: `EAAG${'b'.repeat(40)}`, appSecret: 'b'.repeat(32) },
    ];
    const ids: string[] = [];
    for (const number of numbers) {
      // Sealed by the connector's own vault and stored by its repository: the spec must match what it writes.
      const stored = await repository.upsert({
        id: randomUUID(),
        phoneNumberId: number.phoneNumberId,
        wabaId: '102290129340101',
        displayPhoneNumber: `+1555${number.phoneNumberId.slice(-4)}`,
        verifiedName: 'Shop',
        displayName: 'Shop',
        ...new WhatsAppCredentialsVault(new CredentialCipher(oldKey)).seal(number, number.phoneNumberId),
        verifyTokenSha256: verifyTokenHash('verify-token-0123456789'),
      });
      ids.push(stored.id);
    }
    const snapshot = async () => Promise.all(ids.map(async (id) => repository.findById(id)));

    const before = await snapshot();
    await expect(rotateCredentials({ client, specs: CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS, oldKey: randomBytes(32).toString('base64'), newKey })).rejects.toBeInstanceOf(
      CredentialRotationError,
    );
    expect(await snapshot()).toEqual(before);

    const report = await rotateCredentials({ client, specs: CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(report.map((r) => [r.cipherColumn, r.rotated, r.alreadyRotated])).toEqual([
      ['access_token_ciphertext', 2, 0],
      ['app_secret_ciphertext', 2, 0],
    ]);
    const withNewKey = new WhatsAppCredentialsVault(new CredentialCipher(newKey));
    const withOldKey = new WhatsAppCredentialsVault(new CredentialCipher(oldKey));
    for (const [index, id] of ids.entries()) {
      const record = (await repository.findById(id))!;
      expect(withNewKey.open(record)).toEqual({ accessToken: numbers[index]!.accessToken, appSecret: numbers[index]!.appSecret });
      expect(() => withOldKey.open(record)).toThrow(CredentialDecryptionError);
    }

    const again = await rotateCredentials({ client, specs: CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(again.map((r) => [r.rotated, r.alreadyRotated])).toEqual([
      [0, 2],
      [0, 2],
    ]);
  });
});
