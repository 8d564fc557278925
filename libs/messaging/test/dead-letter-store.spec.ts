/*
 * Both dead-letter stores read `<topic>.dlq` without consuming it: what the reliable consumer parked is
 * listed with its dlq-* facts, in partition/offset order, and the replay record restores the original.
 */
import { randomUUID } from 'node:crypto';
import { createServiceDataSource, migrateSchema } from '@switchboard/persistence';
import pino from 'pino';
import { createTestDatabase, integrationSuite, startKafkaMockCluster, type KafkaMockCluster, type TestDatabase } from '@switchboard/testing';
import {
  KafkaDeadLetterStore,
  KafkaTransport,
  LOG_BUS_MIGRATIONS,
  LOG_BUS_SCHEMA,
  LogDeadLetterStore,
  LogTransport,
  toDeadLetterTopic,
  toReplayRecord,
  type BusTransport,
  type DeadLetterStore,
  type OutgoingRecord,
} from '../src';

jest.setTimeout(90_000);
const logger = pino({ level: 'silent' });

function parked(topic: string, key: string, offset: number): OutgoingRecord {
  return {
    topic: `${topic}.dlq`,
    key,
    value: `{"key":"${key}"}`,
    headers: {
      'event-id': randomUUID(),
      'dlq-original-topic': topic,
      'dlq-original-partition': '0',
      'dlq-original-offset': String(offset),
      'dlq-group': 'g1',
      'dlq-error': `failed ${key}`,
      'dlq-attempts': '5',
      'dlq-time': new Date().toISOString(),
    },
  };
}

async function contract(transport: BusTransport, store: DeadLetterStore): Promise<void> {
  const topic = `dlq-store-${randomUUID().slice(0, 8)}.v1`;
  expect(await store.list(topic)).toEqual([]);
  await transport.publish([parked(topic, 'chat-1', 10), parked(topic, 'chat-2', 11), parked(topic, 'chat-1', 12)]);
  const letters = await store.list(topic);
  expect(letters).toHaveLength(3);
  expect(letters.map((l) => l.key).sort()).toEqual(['chat-1', 'chat-1', 'chat-2']);
  // Per key, in the order they were parked.
  expect(letters.filter((l) => l.key === 'chat-1').map((l) => l.headers['dlq-original-offset'])).toEqual(['10', '12']);
  expect(letters[0]).toMatchObject({ dlqTopic: `${topic}.dlq`, originalTopic: topic, group: 'g1', attempts: '5' });
  expect(await store.list(`${topic}.dlq`, { limit: 2 })).toHaveLength(2);
  // Listing consumed nothing: the same records are there again.
  expect(await store.list(topic)).toHaveLength(3);

  const replay = toReplayRecord(letters[0]!);
  expect(replay.topic).toBe(topic);
  expect(replay.key).toBe(letters[0]!.key);
  expect(Object.keys(replay.headers ?? {}).filter((h) => h.startsWith('dlq-') && h !== 'dlq-replayed-from')).toEqual([]);
  expect(replay.headers?.['event-id']).toBe(letters[0]!.headers['event-id']);
  expect(replay.headers?.['dlq-replayed-from']).toBe(`${topic}.dlq/${letters[0]!.partition}/${letters[0]!.offset}`);
}

describe('toDeadLetterTopic', () => {
  it('accepts the original or the .dlq name and rejects non-topics', () => {
    expect(toDeadLetterTopic('a.v1')).toBe('a.v1.dlq');
    expect(toDeadLetterTopic('a.v1.dlq')).toBe('a.v1.dlq');
    expect(() => toDeadLetterTopic('a; DROP TABLE')).toThrow(/not a topic name/);
  });
});

integrationSuite(['postgres'], 'log-bus dead-letter store')('LogDeadLetterStore', () => {
  let database: TestDatabase;
  it('lists parked records without consuming them', async () => {
    database = await createTestDatabase('dlq_store');
    try {
      await migrateSchema(createServiceDataSource({ url: database.url, schema: LOG_BUS_SCHEMA, migrations: LOG_BUS_MIGRATIONS, poolSize: 1 }), LOG_BUS_SCHEMA);
      const transport = new LogTransport({ databaseUrl: database.url, logger });
      const store = new LogDeadLetterStore(database.url);
      await transport.connect();
      try {
        await contract(transport, store);
      } finally {
        await store.close();
        await transport.close();
      }
    } finally {
      await database.drop();
    }
  });
});

integrationSuite(['kafka'], 'Kafka dead-letter store')('KafkaDeadLetterStore (mock cluster)', () => {
  let cluster: KafkaMockCluster;
  it('lists parked records without consuming them', async () => {
    cluster = await startKafkaMockCluster({ brokers: 3 });
    const transport = new KafkaTransport({ clientId: 'dlq-store-test', brokers: cluster.brokers, logger, maxWaitTimeMs: 10 });
    const store = new KafkaDeadLetterStore(cluster.brokers);
    try {
      await transport.connect();
      await contract(transport, store);
    } finally {
      await store.close();
      await transport.close();
      await cluster.stop();
    }
  });
});
