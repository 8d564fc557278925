/**
 * Issue 3, "Done when": the chat service crashes (SIGKILL) in the middle of a stream of 1,000 customer
 * messages and a new instance takes over; every message is stored exactly once, in the customer's order.
 *
 * Distributed runtime: chat runs as its own process (services/chat/src/main.ts, as in production) on
 * PostgreSQL and Kafka (librdkafka's mock cluster); channel-telegram runs in this process and takes the
 * messages from the Telegram double's webhook deliveries. The double delivers one update per chat at a
 * time, as Telegram does, so each customer's messages reach the bus in the order they were written.
 */
import type { RunningChannelTelegram } from '@switchboard/channel-telegram';
import type { TelegramCustomer } from '@switchboard/testing';
import { waitFor } from '@switchboard/testing';
import { ChatDatabase } from './support/chat-database';
import { kafkaAvailable } from './support/infra';
import { serviceEnv, startChannelTelegram, startKafkaStack, type KafkaStack } from './support/kafka-stack';
import { killAllServiceProcesses, startServiceProcess, type ServiceProcess } from './support/service-process';
import { BOT } from './support/test-stack';

const CUSTOMERS = 10;
const MESSAGES_PER_CUSTOMER = 100;
const TOTAL = CUSTOMERS * MESSAGES_PER_CUSTOMER;
/** The first half of the stream is written while the first instance runs ... */
const ROUNDS_BEFORE_KILL = 50;
/** ... and it is killed once it has stored this many, i.e. while it is busy with that half. */
const KILL_AFTER_STORED = 300;
const ROUND_INTERVAL_MS = 20;

const text = (customer: number, seq: number): string => `customer ${customer} message #${seq}`;
const seqOf = (value: string | null): number => Number(/#(\d+)$/.exec(value ?? '')?.[1] ?? NaN);

const describeKafka = kafkaAvailable() ? describe : describe.skip;

describeKafka('chat service crash during ingest (Kafka + PostgreSQL, chat as a separate process)', () => {
  let stack: KafkaStack;
  let channelTelegram: RunningChannelTelegram;
  let db: ChatDatabase;
  const chatEnv = (): Record<string, string> =>
    serviceEnv(stack, {
      // A killed instance never leaves the consumer group; this bounds how long its partitions stay orphaned.
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      KAFKA_COMMIT_INTERVAL_MS: '500',
      DATABASE_POOL_SIZE: '4',
    });
  const startChat = (): Promise<ServiceProcess> => startServiceProcess({ name: 'chat', entry: 'services/chat/src/main.ts', env: chatEnv() });

  beforeAll(async () => {
    stack = await startKafkaStack({ telegram: { webhookRetryDelayMs: 100, webhookOrderPerChat: true } });
    db = await ChatDatabase.connect(stack.databaseUrl);
    stack.onStop(() => db.close());
    channelTelegram = await startChannelTelegram(stack);
    await channelTelegram.connectBot({ token: BOT.token });
  });

  afterAll(async () => {
    // Processes first (even when the test failed half-way), then everything they were connected to.
    await killAllServiceProcesses();
    await stack?.stop();
  });

  it('stores all 1,000 messages exactly once and in order although the chat service was killed mid-stream', async () => {
    const first = await startChat();
    // Warm-up: the first message is stored only once the consumer group is up, so the stream below meets a working consumer.
    stack.telegram.customer(BOT.token, { id: 7_199_999, firstName: 'Warm-up' }).sendText('warm-up');
    await waitFor(async () => (await db.inboundCount()) === 1, { timeoutMs: 30_000, description: 'the warm-up message to be stored' });

    const customers: TelegramCustomer[] = Array.from({ length: CUSTOMERS }, (_, i) =>
      stack.telegram.customer(BOT.token, { id: 7_100_000 + i, firstName: `Customer ${i}` }),
    );
    const accepted = (): number => stack.telegram.webhookDeliveries.filter((d) => d.ok).length - 1;
    const stored = async (): Promise<number> => (await db.inboundCount()) - 1;

    // The stream: every customer writes one message per round. The second half waits for the crash, so
    // the crash always falls in the middle, whatever the machine's speed.
    let resumeStream!: () => void;
    const crashed = new Promise<void>((resolve) => (resumeStream = resolve));
    const streaming = (async () => {
      for (let seq = 1; seq <= MESSAGES_PER_CUSTOMER; seq += 1) {
        if (seq === ROUNDS_BEFORE_KILL + 1) await crashed;
        customers.forEach((customer, i) => customer.sendText(text(i, seq)));
        await new Promise((resolve) => setTimeout(resolve, ROUND_INTERVAL_MS));
      }
    })();

    await waitFor(async () => (await stored()) >= KILL_AFTER_STORED, {
      timeoutMs: 60_000,
      intervalMs: 5,
      description: `${KILL_AFTER_STORED} stored messages`,
    });
    await first.kill('SIGKILL');
    const acceptedAtKill = accepted();
    const storedAtKill = await stored();
    resumeStream();
    expect((await first.exited).signal).toBe('SIGKILL');

    // Customers keep writing while no chat service runs; the connector keeps accepting onto Kafka.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const second = await startChat();
    await streaming;
    await stack.telegram.waitUntilDrained(BOT.token, 60_000);

    await waitFor(
      async () => {
        const count = await stored();
        if (count < TOTAL) throw new Error(`${count} of ${TOTAL} stored`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250, description: `all ${TOTAL} messages in the chat database` },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- output of the second chat instance ---\n${second.output()}`, { cause: error });
    });
    // Redelivered batches (offsets not yet committed at the crash) may still be arriving: let them.
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // The crash really happened in the middle of the work.
    expect(storedAtKill).toBeGreaterThanOrEqual(KILL_AFTER_STORED);
    expect(acceptedAtKill).toBeLessThanOrEqual(ROUNDS_BEFORE_KILL * CUSTOMERS);

    const timelines = await db.inboundTimelines();
    expect(await stored()).toBe(TOTAL);
    expect(timelines.size).toBe(CUSTOMERS + 1);
    const expectedOrder = Array.from({ length: MESSAGES_PER_CUSTOMER }, (_, k) => k + 1);
    customers.forEach((customer, i) => {
      const timeline = timelines.get(String(customer.id)) ?? [];
      // Exactly once, in the order written: the timeline is 1, 2, ..., 100 with nothing else.
      expect({ customer: i, seqs: timeline.map((m) => seqOf(m.text)) }).toEqual({ customer: i, seqs: expectedOrder });
      expect(timeline.every((m) => m.text === text(i, seqOf(m.text)))).toBe(true);
      expect(new Set(timeline.map((m) => m.platformMessageId)).size).toBe(MESSAGES_PER_CUSTOMER);
    });
  });
});
