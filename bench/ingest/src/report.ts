import os from 'node:os';
import type { CeilingResult } from './ceiling';
import type { IngestOptions, PhaseCounts, RuntimeResult } from './ingest-benchmark';
import type { LatencySummary } from './percentiles';
import type { ProfileName } from './webhook-profiles';

export interface CeilingReport {
  /** `server`: the PostgreSQL the Kafka runtime uses; `pglite`: the embedded one of the standalone runtime. */
  kind: 'server' | 'pglite';
  version: string;
  batchSize: number;
  results: CeilingResult[];
}

/** Issue 3's targets, for 2 cores with Kafka; issue 5 sets the same for WhatsApp's batched webhooks. */
const TARGETS = { sustained: 2000, rate: 500, webhookP99: 30, chatEventP99: 250 };

const PROFILE_DESCRIPTIONS: Record<ProfileName, (options: IngestOptions) => string> = {
  telegram: () => 'telegram = one Telegram message update per webhook request',
  whatsapp: (o) => `whatsapp = signed WhatsApp Cloud API webhooks of ${o.waBatch} text messages from ${Math.min(o.waBatch, o.customers)} different customers each`,
};

export function renderReport(options: IngestOptions, runs: RuntimeResult[], ceilings: CeilingReport[], failures: string[]): string {
  const cores = os.availableParallelism();
  const lines = [
    '## Ingest benchmark',
    '',
    `Machine: ${cores} cores (os.availableParallelism()), ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.platform()} ${os.arch()}, Node ${process.version}.`,
    `Profiles: ${options.profiles.map((p) => PROFILE_DESCRIPTIONS[p](options)).join('; ')}. ` +
      `Every count, rate and latency is per message, not per request. ` +
      `Sustained: ${options.messages} messages as fast as the webhook takes them (${options.concurrency} requests in flight, ` +
      `at most ${options.maxBacklog || 'unlimited'} messages awaiting their chat event), ` +
      `rate = chat.message-added events observed / time from first send to last event. ` +
      `Fixed load: ${options.rate} msg/s for ${options.durationSeconds} s, open loop; latencies of each message from its webhook's scheduled send time. ` +
      `${options.customers} customers (chats) per profile; ${Math.max(options.warmup, options.customers)} unmeasured warm-up messages first.`,
    '',
    '| runtime | profile | cores | sustained msg/s | webhook p50/p95/p99 ms | chat event p50/p95/p99 ms | offered load | errors | lost |',
    '|---|---|---|---|---|---|---|---|---|',
    ...runs.map((run) => row(run, cores)),
    ...failures.flatMap((failure) => options.profiles.map((profile) => `| ${failure} | ${profile} | ${cores} | FAILED | — | — | — | — | — |`)),
    '',
    ...runs.map(
      (run) =>
        `- ${run.runtime}, ${run.profile}: bus = ${run.bus}; ` +
        Object.entries(run.partitions)
          .map(([topic, n]) => `${topic} ${n} partitions`)
          .join(', ') +
        `; webhook accepted ${fmt(run.sustained.acceptedPerSecond)} msg/s in the sustained phase; its last chat event came ` +
        `${run.sustained.seconds.toFixed(1)} s after the first send; worst at ${run.fixed.rate} msg/s: webhook ${ms(run.fixed.webhook?.max)} ms, ` +
        `chat event ${ms(run.fixed.chatEvent?.max)} ms; duplicate chat events ${run.duplicates}.`,
    ),
    ...ceilings.map(
      (c) =>
        `- Ceiling, ${c.version}${c.kind === 'pglite' ? ' in PGlite (standalone)' : ''} alone: chat.messages rows in ${c.batchSize}-row INSERT ... SELECT FROM unnest statements: ` +
        c.results.map((r) => `${fmt(r.rowsPerSecond)} rows/s with ${r.connections} connection${r.connections === 1 ? '' : 's'}`).join(', ') +
        ` (${c.results[0]?.rows ?? 0} rows each).`,
    ),
    ...runs.filter((r) => r.runtime === 'kafka').flatMap((r) => targets(r, cores)),
  ];
  return lines.join('\n');
}

function row(run: RuntimeResult, cores: number): string {
  const lost = run.sustained.lost + run.fixed.lost;
  const errors = describeErrors(run.sustained, run.fixed);
  // A run that lost data gets no numbers: they would be numbers about a broken product.
  if (lost > 0) return `| ${run.runtime} | ${run.profile} | ${cores} | LOST DATA | — | — | ${run.fixed.rate} msg/s × ${run.fixed.durationSeconds} s | ${errors} | ${lost} |`;
  return (
    `| ${run.runtime} | ${run.profile} | ${cores} | ${fmt(run.sustained.endToEndPerSecond)} | ${triple(run.fixed.webhook)} | ${triple(run.fixed.chatEvent)} | ` +
    `${run.fixed.rate} msg/s × ${run.fixed.durationSeconds} s | ${errors} | 0 |`
  );
}

function describeErrors(...phases: PhaseCounts[]): string {
  const total: Record<string, number> = {};
  for (const phase of phases) for (const [key, n] of Object.entries(phase.errors)) total[key] = (total[key] ?? 0) + n;
  const parts = Object.entries(total).map(([key, n]) => `${n} × ${key.startsWith('net:') ? `no answer (${key.slice(4)})` : `HTTP ${key}`}`);
  return parts.length > 0 ? parts.join(', ') : '0';
}

function targets(kafka: RuntimeResult, cores: number): string[] {
  if (kafka.sustained.lost + kafka.fixed.lost > 0) return [];
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const webhookP99 = kafka.fixed.webhook?.p99 ?? Infinity;
  const chatEventP99 = kafka.fixed.chatEvent?.p99 ?? Infinity;
  return [
    '',
    `Targets for ${kafka.profile} (issue ${kafka.profile === 'telegram' ? 3 : 5}, Kafka on 2 cores${cores === 2 ? '' : `; this machine has ${cores}`}): ` +
      `sustained ≥ ${TARGETS.sustained} msg/s: ${check(kafka.sustained.endToEndPerSecond >= TARGETS.sustained)}; ` +
      (kafka.fixed.rate === TARGETS.rate
        ? `at ${TARGETS.rate} msg/s webhook p99 < ${TARGETS.webhookP99} ms: ${check(webhookP99 < TARGETS.webhookP99)}, ` +
          `chat event p99 < ${TARGETS.chatEventP99} ms: ${check(chatEventP99 < TARGETS.chatEventP99)}.`
        : `latency targets apply at ${TARGETS.rate} msg/s (this run offered ${kafka.fixed.rate}).`),
  ];
}

function triple(summary: LatencySummary | undefined): string {
  return summary ? `${ms(summary.p50)} / ${ms(summary.p95)} / ${ms(summary.p99)}` : '—';
}

function ms(value: number | undefined): string {
  if (value === undefined) return '—';
  return value < 10 ? value.toFixed(1) : Math.round(value).toString();
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
