/*
 * Our producer partitioner must put every key where KafkaJS's DefaultPartitioner (the Java client's rule)
 * puts it: topics written before the swap, and other Kafka clients, keep one key in one partition.
 */
import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { keyPartitioner } from '../src/kafka/key-partitioner';

const metadata = (count: number, leaderless: number[] = []): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));

describe('keyPartitioner', () => {
  const ours = keyPartitioner();
  const kafkajs = Partitioners.DefaultPartitioner();

  it("places every key where KafkaJS's DefaultPartitioner does, for any partition count", () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      '0b9d2c6e-1f4a-4c7e-9a57-3f1d2e8b7c61:380501234567',
      'Оксана Коваль',
      '🙂 emoji key',
      ...Array.from({ length: 2_000 }, (_, i) => `${randomBytes(1 + (i % 40)).toString('base64')}:${i}`),
    ];
    const differences: string[] = [];
    for (const count of [1, 2, 3, 4, 6, 12, 16, 50]) {
      for (const key of keys) {
        const args = { topic: 't', partitionMetadata: metadata(count), message: { key, value: 'v' } };
        const expected = kafkajs(args);
        const actual = ours(args);
        if (actual !== expected) differences.push(`${JSON.stringify(key)} of ${count}: ${actual} instead of ${expected}`);
        // A Buffer key is the same key.
        if (ours({ ...args, message: { key: Buffer.from(key, 'utf8'), value: 'v' } }) !== expected) differences.push(`Buffer ${JSON.stringify(key)} of ${count}`);
      }
    }
    expect(differences).toEqual([]);
  });

  it('keeps an explicit partition, and spreads keyless records over the partitions that have a leader', () => {
    expect(ours({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k', value: 'v', partition: 3 } })).toBe(3);
    const seen = new Set<number>();
    for (let i = 0; i < 40; i++) seen.add(ours({ topic: 'keyless', partitionMetadata: metadata(4, [1]), message: { value: 'v' } }));
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });
});
