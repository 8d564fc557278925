export const LOG_BUS_SCHEMA = 'bus';

/** DDL of the standalone bus, applied by the persistence migrator like every service's own schema. */
export const LOG_BUS_MIGRATIONS = [
  {
    name: 'BusLog1764000000000',
    up: [
      `CREATE TABLE bus.partition_heads (topic text NOT NULL, partition int NOT NULL, next_offset bigint NOT NULL,
         PRIMARY KEY (topic, partition))`,
      `CREATE TABLE bus.records (topic text NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL,
         key text NOT NULL, value text NOT NULL, headers jsonb NOT NULL DEFAULT '{}',
         created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (topic, partition, "offset"))`,
      `CREATE INDEX records_created_at_idx ON bus.records (created_at)`,
      `CREATE TABLE bus.group_offsets (group_id text NOT NULL, topic text NOT NULL, partition int NOT NULL,
         committed_offset bigint NOT NULL, PRIMARY KEY (group_id, topic, partition))`,
    ],
    down: [`DROP TABLE bus.group_offsets`, `DROP TABLE bus.records`, `DROP TABLE bus.partition_heads`],
  },
] as const;
