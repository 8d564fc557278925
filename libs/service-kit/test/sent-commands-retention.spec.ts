/*
 * Send outcomes are forgotten after SENT_COMMANDS_RETENTION_HOURS (libs/service-kit/src/runtime/sent-commands-retention.ts),
 * on a connector's real sent_commands table (libs/messaging's SentCommandRepository and its DDL), on PostgreSQL.
 */
import { SentCommandRepository, sentCommandsRetentionIndexDdl, sentCommandsTableDdl } from '@switchboard/messaging';
import { createTestDatabase, integrationSuite } from '@switchboard/testing';
import { Pool } from 'pg';
import pino from 'pino';
import { ConfigError, PeriodicJobs, loadConfig, retainSentCommands, sentCommandsConfigSchema } from '../src';

const SCHEMA = 'retention_test';

describe('SENT_COMMANDS_RETENTION_HOURS', () => {
  it('defaults to 14 days and refuses less than a day', () => {
    expect(loadConfig('test', sentCommandsConfigSchema, {}).SENT_COMMANDS_RETENTION_HOURS).toBe(336);
    expect(() => loadConfig('test', sentCommandsConfigSchema, { SENT_COMMANDS_RETENTION_HOURS: '12' })).toThrow(ConfigError);
    expect(() => loadConfig('test', sentCommandsConfigSchema, { SENT_COMMANDS_RETENTION_HOURS: '12' })).toThrow(/at least 24 hours/);
  });
});

integrationSuite(['postgres'], 'sent-command retention')('sent-command retention job', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: Pool;
  /** Answers rows, as a TypeORM DataSource does (what the product passes). */
  const sql = { query: async (text: string, parameters?: unknown[]) => (await pool.query(text, parameters)).rows };

  beforeAll(async () => {
    db = await createTestDatabase('sent_commands_retention');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await pool.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const sql of [...sentCommandsTableDdl(SCHEMA).up, ...sentCommandsRetentionIndexDdl(SCHEMA).up]) await pool.query(sql);
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('deletes the outcomes older than the retention and keeps the newer ones, which still answer a redelivery', async () => {
    const repository = new SentCommandRepository(sql, SCHEMA);
    const hour = 3_600_000;
    const old = { id: '00000000-0000-4000-8000-000000000001', at: new Date(Date.now() - 30 * hour) };
    const recent = { id: '00000000-0000-4000-8000-000000000002', at: new Date(Date.now() - 2 * hour) };
    for (const c of [old, recent]) await repository.insert(sql, c.id, { state: 'sent', platformMessageId: `m-${c.id.slice(-1)}`, at: c.at });

    const jobs = retainSentCommands(new PeriodicJobs(pino({ level: 'silent' })), sql, repository.table, 24);
    expect(await repository.find(old.id)).toMatchObject({ state: 'sent' });
    await jobs.runNow('sent commands');

    expect(await repository.find(old.id)).toBeUndefined();
    expect(await repository.find(recent.id)).toEqual({ state: 'sent', platformMessageId: 'm-2', at: recent.at });
  });

  it('finds the expired outcomes through the created_at index the connectors migrate in, not by reading the table', async () => {
    const client = await pool.connect();
    try {
      // A test table is tiny, where a sequential scan is cheapest; forbid it to see whether the index serves.
      await client.query('SET enable_seqscan = off');
      const plan = (await client.query(`EXPLAIN DELETE FROM ${SCHEMA}.sent_commands WHERE created_at < now()`)).rows.map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('sent_commands_created_at');
    } finally {
      client.release();
    }
  });
});
