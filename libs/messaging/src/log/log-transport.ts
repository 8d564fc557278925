import { EventEmitter } from 'node:events';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import { sleep } from '../backoff';
import { GroupCommitQueue } from '../transport/group-commit-queue';
import { partitionFor } from '../transport/partitioning';
import type { BusTransport, ConsumeOptions, ConsumedRecord, ConsumerHandle, OutgoingRecord } from '../transport/bus-transport';

export interface LogTransportOptions {
  /** PostgreSQL (or embedded PGlite) holding schema `bus`; run LOG_BUS_MIGRATIONS on it first. */
  databaseUrl: string;
  logger: Logger;
  partitions?: number;
  maxBatchSize?: number;
  /** Fallback poll for records written by other processes (in-process publishes wake consumers at once). */
  pollIntervalMs?: number;
  retentionHours?: number;
}

interface Member {
  id: number;
  group: string;
  topics: readonly string[];
  options: ConsumeOptions;
  assigned: { topic: string; partition: number }[];
  running: boolean;
  wake: () => void;
  loop?: Promise<void>;
}

/**
 * The standalone bus: an append-only log in PostgreSQL with Kafka's semantics, so the product runs on
 * a machine with only Node and keeps every guarantee: records survive restarts (they are rows), offsets
 * are assigned under a per-partition row lock (commit order = offset order, so no reader skips a record
 * that committed late), consumer groups keep committed offsets, and a group's partitions are split
 * between its members in this process.
 */
export class LogTransport implements BusTransport {
  readonly kind = 'log' as const;
  private readonly pool: Pool;
  private readonly partitions: number;
  private readonly published = new EventEmitter();
  private readonly members = new Set<Member>();
  /** `group/topic/partition` of every batch a handler holds right now (see consumePartition). */
  private readonly inHand = new Set<string>();
  private nextMemberId = 1;
  private retentionTimer?: NodeJS.Timeout;
  private readonly queue: GroupCommitQueue<OutgoingRecord>;

  constructor(private readonly options: LogTransportOptions) {
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 4 });
    this.pool.on('error', (error) => options.logger.error({ err: error }, 'log bus connection error'));
    this.partitions = options.partitions ?? 4;
    this.published.setMaxListeners(0);
    this.queue = new GroupCommitQueue((records) => this.append(records));
  }

  async connect(): Promise<void> {
    await this.ping();
    const hours = this.options.retentionHours ?? 168;
    this.retentionTimer = setInterval(() => {
      this.pool
        .query(`DELETE FROM bus.records WHERE created_at < now() - make_interval(hours => $1)`, [hours])
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'log bus retention failed'));
    }, 60 * 60 * 1000);
    this.retentionTimer.unref();
  }

  /** Concurrent publishes (one per webhook) share one statement: PGlite has a single session to queue on. */
  async publish(records: readonly OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.queue.enqueue(records);
  }

  /**
   * Appends records in ONE statement (one round trip, one implicit transaction). Each partition's head row
   * is locked by the upsert until commit, in (topic, partition) order so two publishers never deadlock:
   * offsets of a partition commit in order, so no reader can pass a record that commits later.
   */
  private async append(records: OutgoingRecord[]): Promise<void> {
    const partitions = records.map((r) => partitionFor(r.key, this.partitions));
    await this.pool.query(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(topic, partition, key, value, headers, ord)),
       counts AS (SELECT topic, partition, count(*)::bigint AS n FROM input GROUP BY topic, partition),
       heads AS (
         INSERT INTO bus.partition_heads AS h (topic, partition, next_offset)
         SELECT topic, partition, n FROM counts ORDER BY topic, partition
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = h.next_offset + EXCLUDED.next_offset
         RETURNING topic, partition, next_offset)
       INSERT INTO bus.records (topic, partition, "offset", key, value, headers)
       SELECT i.topic, i.partition, h.next_offset - c.n + row_number() OVER (PARTITION BY i.topic, i.partition ORDER BY i.ord) - 1,
              i.key, i.value, i.headers::jsonb
       FROM input i JOIN heads h USING (topic, partition) JOIN counts c USING (topic, partition)`,
      [
        records.map((r) => r.topic),
        partitions,
        records.map((r) => r.key),
        records.map((r) => r.value),
        records.map((r) => JSON.stringify(r.headers ?? {})),
      ],
    );
    for (const topic of new Set(records.map((r) => r.topic))) this.published.emit(topic);
  }

  async consume(options: ConsumeOptions): Promise<ConsumerHandle> {
    const member: Member = {
      id: this.nextMemberId++,
      group: options.group,
      topics: options.topics,
      options,
      assigned: [],
      running: true,
      wake: () => undefined,
    };
    this.members.add(member);
    this.rebalance(options.group);
    // Wake through a stable listener: member.wake is replaced on every loop turn.
    const wakeListener = () => member.wake();
    for (const topic of options.topics) this.published.on(topic, wakeListener);
    member.loop = this.runMember(member);
    return {
      stop: async () => {
        member.running = false;
        member.wake();
        await member.loop;
        for (const topic of options.topics) this.published.off(topic, wakeListener);
        this.members.delete(member);
        this.rebalance(options.group);
      },
    };
  }

  /** Round-robin the group's partitions over its members, like Kafka's range assignor within one process. */
  private rebalance(group: string): void {
    const members = [...this.members].filter((m) => m.group === group && m.running).sort((a, b) => a.id - b.id);
    for (const m of members) m.assigned = [];
    const topics = [...new Set(members.flatMap((m) => m.topics))].sort();
    let i = 0;
    for (const topic of topics) {
      const subscribers = members.filter((m) => m.topics.includes(topic));
      for (let partition = 0; partition < this.partitions; partition++) {
        subscribers[i++ % subscribers.length]!.assigned.push({ topic, partition });
      }
    }
    for (const m of members) m.wake();
  }

  private async runMember(member: Member): Promise<void> {
    const poll = this.options.pollIntervalMs ?? 1_000;
    const maxBatch = this.options.maxBatchSize ?? 500;
    while (member.running) {
      let woken = false;
      const waitForWork = new Promise<void>((resolve) => {
        member.wake = () => {
          woken = true;
          resolve();
        };
      });
      let didWork = false;
      try {
        for (const { topic, partition } of [...member.assigned]) {
          if (!member.running) break;
          didWork = (await this.consumePartition(member, topic, partition, maxBatch)) || didWork;
        }
      } catch (error) {
        this.options.logger.error({ err: error, group: member.group }, 'log bus consumer failed; retrying');
        await sleep(500);
      }
      if (!didWork && !woken && member.running) {
        await Promise.race([waitForWork, sleep(poll)]);
      }
    }
  }

  private async consumePartition(member: Member, topic: string, partition: number, maxBatch: number): Promise<boolean> {
    const stillOwned = () => member.running && member.assigned.some((a) => a.topic === topic && a.partition === partition);
    // Kafka hands a partition to its new owner only after the old one finished its batch (the rebalance
    // barrier); rebalance() here is immediate. So skip a partition that a rebalance took away since runMember
    // took its snapshot of the assignment, and one whose previous owner still holds a batch of it: otherwise
    // two members of one group handle the same records at once, the old one with an already inactive context.
    const id = `${member.group}\u0000${topic}\u0000${partition}`;
    if (!stillOwned() || this.inHand.has(id)) return false;
    const committed = await this.pool.query<{ committed_offset: string }>(
      `SELECT committed_offset FROM bus.group_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3`,
      [member.group, topic, partition],
    );
    const from = committed.rows[0]?.committed_offset ?? '-1';
    // head: the partition's next offset (a high watermark, for consumer lag), read in the same statement.
    const result = await this.pool.query<{ offset: string; key: string; value: string; headers: Record<string, string>; head: string | null }>(
      `SELECT "offset", key, value, headers,
              (SELECT next_offset::text FROM bus.partition_heads h WHERE h.topic = $1 AND h.partition = $2) AS head
       FROM bus.records
       WHERE topic = $1 AND partition = $2 AND "offset" > $3 ORDER BY "offset" LIMIT $4`,
      [topic, partition, from, maxBatch],
    );
    if (result.rows.length === 0) return false;
    const records: ConsumedRecord[] = result.rows.map((row) => ({
      topic,
      partition,
      offset: row.offset,
      key: row.key,
      value: Buffer.from(row.value, 'utf8'),
      headers: row.headers,
    }));
    // Checked again after the queries: the assignment may have changed while they ran.
    if (!stillOwned() || this.inHand.has(id)) return false;
    this.inHand.add(id);
    try {
      const head = result.rows[0]?.head ?? undefined;
      await member.options.handleBatch(records, {
        heartbeat: async () => undefined,
        isActive: stillOwned,
        ...(head !== undefined && head !== null ? { highWatermark: head } : {}),
      });
      await this.pool.query(
        `INSERT INTO bus.group_offsets (group_id, topic, partition, committed_offset) VALUES ($1, $2, $3, $4)
         ON CONFLICT (group_id, topic, partition) DO UPDATE SET committed_offset = GREATEST(bus.group_offsets.committed_offset, EXCLUDED.committed_offset)`,
        [member.group, topic, partition, records[records.length - 1]!.offset],
      );
    } finally {
      this.inHand.delete(id);
      // The partition's new owner skipped it while this batch was in hand: let it look again now.
      if (!stillOwned()) for (const m of this.members) if (m.group === member.group) m.wake();
    }
    return true;
  }

  /** A log-bus consumer reads from its first poll: there is no group to join. */
  async consumersJoined(): Promise<void> {}

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM bus.partition_heads LIMIT 1');
  }

  async close(): Promise<void> {
    const members = [...this.members];
    for (const m of members) m.running = false;
    for (const m of members) m.wake();
    await Promise.all(members.map((m) => m.loop));
    this.members.clear();
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.pool.end();
  }
}
