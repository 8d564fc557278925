import type { Logger } from '@switchboard/service-kit';
import { ChatEventObserver } from './chat-event-observer';
import { runLoad, type LoadPlan, type LoadResult } from './load-generator';
import { summarise, type LatencySummary } from './percentiles';
import { randomBytes } from 'node:crypto';
import { startBenchStack, type BenchStack, type Runtime, type StackOptions } from './stack';
import type { ProfileName, ProfileSpec } from './webhook-profiles';

export interface IngestOptions {
  /** Which platforms' webhooks to send, one after the other on the same running product. */
  profiles: ProfileName[];
  /** Messages per WhatsApp webhook POST. */
  waBatch: number;
  /** Messages (not requests) per phase; `rate` is in messages a second too. */
  messages: number;
  /** Webhook requests in flight in the closed-loop phases. */
  concurrency: number;
  rate: number;
  durationSeconds: number;
  customers: number;
  /**
   * Sustained phase: at most this many messages accepted but without their chat event. librdkafka's mock
   * cluster keeps only 5 MB per partition and drops older records, so an unbounded backlog would lose data there.
   */
  maxBacklog: number;
  /** Unmeasured messages before the phases (JIT, pools, every chat created); at least `customers`. */
  warmup: number;
  /** A phase is over when every accepted message's chat event arrived, or nothing arrived for this long. */
  idleTimeoutMs: number;
}

export interface PhaseCounts {
  offered: number;
  accepted: number;
  /** Non-2xx answers and network errors, by status ("net:<why>" = no answer, e.g. net:ECONNRESET). */
  errors: Record<string, number>;
  /** Accepted (HTTP 200) but their chat event never arrived. */
  lost: number;
}

export interface RuntimeResult {
  runtime: Runtime;
  profile: ProfileName;
  bus: string;
  partitions: Record<string, number>;
  sustained: PhaseCounts & { acceptedPerSecond: number; endToEndPerSecond: number; seconds: number };
  fixed: PhaseCounts & { rate: number; durationSeconds: number; webhook?: LatencySummary; chatEvent?: LatencySummary };
  duplicates: number;
}

type Progress = (line: string) => void;

/**
 * One runtime: start it, then each profile in turn: warm up (every customer writes first, so every chat
 * exists; then until the JIT has settled: in trials the webhook path ran several times faster after a few
 * thousand requests than at first), then the two measured phases.
 */
export async function benchmarkRuntime(runtime: Runtime, options: IngestOptions & StackOptions, logger: Logger, progress: Progress): Promise<RuntimeResult[]> {
  progress(`starting the ${runtime} runtime`);
  const stack = await startBenchStack(runtime, logger, options);
  const run = randomBytes(4).toString('hex');
  const observer = new ChatEventObserver(run);
  try {
    await observer.start(stack.observerTransport);
    const phases = new PhaseRunner(stack, observer, run, options, progress);
    const results: RuntimeResult[] = [];
    for (const profile of options.profiles) {
      const duplicatesBefore = observer.duplicates;
      const spec = profileSpec(stack, profile, options);
      const warmup = await phases.run(spec, 'warm-up', { mode: 'closed', count: Math.max(options.warmup, options.customers) });
      const warmupCounts = phases.counts(warmup);
      if (warmupCounts.accepted < warmupCounts.offered || warmupCounts.lost > 0) {
        throw new Error(`${profile} warm-up failed: ${JSON.stringify(warmupCounts)}`);
      }

      const sustained = await phases.run(spec, 'sustained', { mode: 'closed', count: options.messages });
      const fixed = await phases.run(spec, 'fixed load', { mode: 'open', count: Math.round(options.rate * options.durationSeconds) });
      results.push({
        runtime,
        profile,
        bus: stack.busDescription,
        partitions: await stack.partitions(),
        sustained: phases.throughput(sustained),
        fixed: { ...phases.latency(fixed), rate: options.rate, durationSeconds: options.durationSeconds },
        duplicates: observer.duplicates - duplicatesBefore,
      });
    }
    return results;
  } finally {
    await observer.stop().catch((error: unknown) => logger.error({ err: error }, 'stopping the observer failed'));
    progress(`stopping the ${runtime} runtime`);
    await stack.stop();
  }
}

function profileSpec(stack: BenchStack, profile: ProfileName, options: IngestOptions): ProfileSpec {
  switch (profile) {
    case 'telegram':
      if (!stack.telegram) throw new Error('no Telegram bot was connected');
      return { name: 'telegram', ...stack.telegram };
    case 'whatsapp':
      if (!stack.whatsapp) throw new Error('no WhatsApp number was connected');
      return { name: 'whatsapp', ...stack.whatsapp, batch: options.waBatch };
  }
}

interface Phase {
  /** The phase's message ids (tagged into the texts), in send order. */
  messageIds: number[];
  load: LoadResult;
  lost: number;
}

class PhaseRunner {
  private nextMessageId = 100_000_000;
  private nextSequence = 0;

  constructor(
    private readonly stack: BenchStack,
    private readonly observer: ChatEventObserver,
    private readonly runTag: string,
    private readonly options: IngestOptions,
    private readonly progress: Progress,
  ) {}

  async run(profile: ProfileSpec, name: string, shape: { mode: LoadPlan['mode']; count: number }): Promise<Phase> {
    const plan: LoadPlan = {
      profile,
      phase: { run: this.runTag, count: shape.count, firstMessageId: this.nextMessageId, firstSequence: this.nextSequence, customers: this.options.customers },
      mode: shape.mode,
      concurrency: this.options.concurrency,
      ratePerSecond: this.options.rate,
      timeoutMs: 30_000,
      maxBacklog: shape.mode === 'closed' ? this.options.maxBacklog : 0,
      observed: new Int32Array(new SharedArrayBuffer(4)),
    };
    const first = this.nextMessageId;
    this.nextMessageId += shape.count;
    this.nextSequence += shape.count;
    const messageIds = Array.from({ length: shape.count }, (_, i) => first + i);
    this.observer.onFirstSeen = (id) => {
      if (id >= first && id < first + shape.count) Atomics.add(plan.observed, 0, 1);
    };
    const label = `[${this.stack.runtime} ${profile.name}] ${name}`;
    const perRequest = profile.name === 'whatsapp' ? `, ${profile.batch} per webhook` : '';
    const what =
      shape.mode === 'open'
        ? `${this.options.rate} msg/s for ${this.options.durationSeconds} s${perRequest}`
        : `${shape.count} messages${perRequest}, ${this.options.concurrency} requests in flight, backlog ≤ ${plan.maxBacklog || 'unbounded'}`;
    this.progress(`${label}: ${what}`);
    const load = await runLoad(plan, (p) =>
      this.progress(`${label}: sent ${p.sent}/${shape.count}, answered ${p.answered} (200: ${p.ok}), chat events ${this.observer.countSeen(messageIds)}`),
    );
    const accepted = messageIds.filter((_, i) => load.status[i] === 200);
    const lost = await this.observer.waitFor(accepted, this.options.idleTimeoutMs, (seen) => this.progress(`${label}: chat events ${seen}/${accepted.length}`));
    this.progress(`${label}: done, ${accepted.length} accepted, ${lost} lost`);
    return { messageIds, load, lost };
  }

  counts({ messageIds, load, lost }: Phase): PhaseCounts {
    const errors: Record<string, number> = {};
    for (let i = 0; i < messageIds.length; i++) {
      const status = load.status[i]!;
      if (status === 200) continue;
      const key = status === 0 ? `net:${load.noAnswer.get(i) ?? 'unknown'}` : String(status);
      errors[key] = (errors[key] ?? 0) + 1;
    }
    const failed = Object.values(errors).reduce((a, b) => a + b, 0);
    return { offered: messageIds.length, accepted: messageIds.length - failed, errors, lost };
  }

  /** From the first send: how fast messages were accepted, and how fast their chat events came out. */
  throughput(phase: Phase): RuntimeResult['sustained'] {
    const counts = this.counts(phase);
    const { load, messageIds } = phase;
    const start = load.scheduledAt.reduce((a, b) => Math.min(a, b), Infinity);
    const lastAnswer = load.answeredAt.reduce((a, b) => Math.max(a, b), 0);
    let lastEvent = start;
    let events = 0;
    for (const id of messageIds) {
      const seen = this.observer.seenAt.get(id);
      if (seen === undefined) continue;
      events++;
      lastEvent = Math.max(lastEvent, seen);
    }
    return {
      ...counts,
      seconds: (lastEvent - start) / 1000,
      acceptedPerSecond: counts.accepted / ((lastAnswer - start) / 1000),
      endToEndPerSecond: events / ((lastEvent - start) / 1000),
    };
  }

  /** Latencies of each message from its webhook's scheduled send time: the webhook's answer, and its chat event. */
  latency(phase: Phase): PhaseCounts & { webhook?: LatencySummary; chatEvent?: LatencySummary } {
    const webhook: number[] = [];
    const chatEvent: number[] = [];
    phase.messageIds.forEach((id, i) => {
      if (phase.load.status[i] !== 200) return;
      const scheduled = phase.load.scheduledAt[i]!;
      webhook.push(phase.load.answeredAt[i]! - scheduled);
      const seen = this.observer.seenAt.get(id);
      if (seen !== undefined) chatEvent.push(seen - scheduled);
    });
    const webhookSummary = summarise(webhook);
    const chatEventSummary = summarise(chatEvent);
    return {
      ...this.counts(phase),
      ...(webhookSummary ? { webhook: webhookSummary } : {}),
      ...(chatEventSummary ? { chatEvent: chatEventSummary } : {}),
    };
  }
}
