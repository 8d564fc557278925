import { Client } from 'pg';
import { createTestDatabase, isPostgresAvailable } from '../src';

describe('createTestDatabase', () => {
  it('creates a usable database and drops it even with a connection left open', async () => {
    if (!(await isPostgresAvailable())) return; // no server in this environment: nothing to check
    const database = await createTestDatabase('Testing-Lib.spec');
    expect(database.name).toMatch(/^testing_lib_spec_[a-f0-9]{12}$/);
    const leaked = new Client({ connectionString: database.url });
    leaked.on('error', () => undefined); // DROP ... WITH (FORCE) terminates it on purpose
    await leaked.connect();
    expect((await leaked.query('SELECT current_database() AS name')).rows[0]).toEqual({ name: database.name });
    await database.drop();
    await leaked.end().catch(() => undefined);
    await database.drop(); // idempotent
  });

  it('reports an unreachable server as unavailable', async () => {
    await expect(isPostgresAvailable('postgres://postgres@127.0.0.1:1/postgres', 500)).resolves.toBe(false);
  });
});
