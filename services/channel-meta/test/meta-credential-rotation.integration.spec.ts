/**
 * CHANNEL_META_CREDENTIAL_COLUMNS against the real table: `npm run ops -- rotate-key channel-meta` re-encrypts
 * both sealed columns so the connector's vault opens them with the new key, and a second run changes nothing.
 */
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import { CredentialCipher, CredentialDecryptionError, rotateCredentials } from '@switchboard/service-kit';
import { createTestDatabase, integrationSuite, type TestDatabase } from '@switchboard/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { CHANNEL_META_CREDENTIAL_COLUMNS, CHANNEL_META_MIGRATIONS, CHANNEL_META_SCHEMA } from '../src';
import { MetaConnectionRepository } from '../src/connections/meta-connection.repository';
import { MetaCredentialsVault, verifyTokenHash } from '../src/connections/meta-credentials.vault';

integrationSuite(['postgres'], 'channel-meta credential rotation')('channel-meta credential columns (key rotation)', () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  let database: TestDatabase;
  let dataSource: DataSource;
  let client: Client;

  beforeAll(async () => {
    database = await createTestDatabase('channel_meta_rotation');
    dataSource = createServiceDataSource({ url: database.url, schema: CHANNEL_META_SCHEMA, migrations: CHANNEL_META_MIGRATIONS });
    await dataSource.initialize();
    await migrateSchema(dataSource, CHANNEL_META_SCHEMA);
    client = new Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('re-encrypts the Page token and the app secret of every connection; a second run is a no-op', async () => {
    const repository = new MetaConnectionRepository(dataSource);
    const pages = [
      { pageId: '104857600000101', accessToken: `EAAB${'a'.repeat(40)}`, appSecret: 'a'.repeat(32) },
      { pageId: '104857600000102', accessToken: `EAAB${'b'.repeat(40)}`, appSecret: 'b'.repeat(32) },
    ];
    const ids: string[] = [];
    for (const page of pages) {
      const stored = await repository.upsert({
        id: randomUUID(),
        pageId: page.pageId,
        pageName: `Page ${page.pageId}`,
        instagramAccountId: null,
        instagramUsername: null,
        displayName: `Page ${page.pageId}`,
        ...new MetaCredentialsVault(new CredentialCipher(oldKey)).seal(page, page.pageId),
        verifyTokenSha256: verifyTokenHash('verify-token-0123456789'),
      });
      ids.push(stored.id);
    }

    const report = await rotateCredentials({ client, specs: CHANNEL_META_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(report.map((r) => [r.cipherColumn, r.rotated, r.alreadyRotated])).toEqual([
      ['access_token_ciphertext', 2, 0],
      ['app_secret_ciphertext', 2, 0],
    ]);
    const withNewKey = new MetaCredentialsVault(new CredentialCipher(newKey));
    const withOldKey = new MetaCredentialsVault(new CredentialCipher(oldKey));
    for (const [index, id] of ids.entries()) {
      const record = (await repository.findById(id))!;
      expect(withNewKey.open(record)).toEqual({ accessToken: pages[index]!.accessToken, appSecret: pages[index]!.appSecret });
      expect(() => withOldKey.open(record)).toThrow(CredentialDecryptionError);
    }

    const again = await rotateCredentials({ client, specs: CHANNEL_META_CREDENTIAL_COLUMNS, oldKey, newKey });
    expect(again.map((r) => [r.rotated, r.alreadyRotated])).toEqual([
      [0, 2],
      [0, 2],
    ]);
  });
});
