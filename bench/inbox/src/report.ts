import os from 'node:os';
import type { Client } from 'pg';
import type { FanoutResult } from './fanout';
import { FANOUT_TARGET_MS } from './fanout';
import type { ScenarioGroup, ScenarioResult } from './measure';
import type { SeedInfo } from './seed';

export interface Environment {
  cores: number;
  cpu: string;
  node: string;
  postgres: string;
  settings: Record<string, string>;
  loadAverageAtStart: number[];
}

export interface DataSizes {
  rows: Record<string, number>;
  databaseBytes: number;
  relations: { name: string; tableBytes: number; indexBytes: number }[];
}

const SETTINGS = ['shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', 'max_parallel_workers_per_gather', 'jit'];

export async function environment(client: Client): Promise<Environment> {
  const version = (await client.query<{ v: string }>(`SELECT split_part(version(), ' on ', 1) AS v`)).rows[0]!.v;
  const settings = await client.query<{ name: string; setting: string }>(`SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1)`, [SETTINGS]);
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    node: process.version,
    postgres: version,
    settings: Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])),
    loadAverageAtStart: os.loadavg(),
  };
}

export async function dataSizes(client: Client): Promise<DataSizes> {
  const rows = (
    await client.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM chat.chats) AS chats, (SELECT count(*) FROM chat.customers) AS customers,
              (SELECT count(*) FROM chat.messages WHERE kind = 'message') AS messages, (SELECT count(*) FROM chat.messages WHERE kind = 'note') AS notes,
              (SELECT count(DISTINCT connection_id) FROM chat.chats) AS connections, (SELECT count(DISTINCT employee_id) FROM chat.connection_members) AS operators,
              (SELECT count(*) FROM chat.connection_members) AS memberships, (SELECT count(*) FROM chat.chat_reads) AS read_marks`,
    )
  ).rows[0]!;
  const database = await client.query<{ bytes: string }>(`SELECT pg_database_size(current_database()) AS bytes`);
  const relations = await client.query<{ name: string; table_bytes: string; index_bytes: string }>(
    `SELECT c.relname AS name, pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes
     FROM pg_class c WHERE c.relnamespace = 'chat'::regnamespace AND c.relkind = 'r' AND pg_total_relation_size(c.oid) > 1048576
     ORDER BY pg_total_relation_size(c.oid) DESC`,
  );
  return {
    rows: Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Number(v)])),
    databaseBytes: Number(database.rows[0]!.bytes),
    relations: relations.rows.map((r) => ({ name: r.name, tableBytes: Number(r.table_bytes), indexBytes: Number(r.index_bytes) })),
  };
}

export interface Report {
  env: Environment;
  loadAverageAtEnd: number[];
  seed: SeedInfo;
  sizes: DataSizes;
  results: ScenarioResult[];
  fanout: FanoutResult | 'skipped' | { failed: string };
  options: { fraction: number; iterations: number; warmup: number; maxSeconds: number };
}

const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : '—');
const gb = (bytes: number) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`);
const n = (value: number) => value.toLocaleString('en');
const loads = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');

const GROUP_TITLES: Record<ScenarioGroup, string> = {
  list: 'List: ChatQueryService.listChats (first 30, newest activity first)',
  counts: 'Tab counts: ChatQueryService.countChats (same filters; the `chats` query runs it beside listChats)',
  search: 'Search: ChatSearchService.searchChats (first 20) and searchInChat',
};

export function renderReport(report: Report): string {
  const { env, seed, sizes } = report;
  const lines: string[] = [
    '## Inbox benchmark (bench/inbox)',
    '',
    `Machine: ${env.cores} cores (os.availableParallelism()), ${env.cpu}, Node ${env.node}, ${env.postgres} at 127.0.0.1:5432 ` +
      `(${Object.entries(env.settings)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}). Load average (1/5/15 min) at start ${loads(env.loadAverageAtStart)}, at end ${loads(report.loadAverageAtEnd)}: the machine is shared.`,
    '',
    `Data (scale ${report.options.fraction}): ${n(sizes.rows['chats']!)} chats, ${n(sizes.rows['customers']!)} customers, ${n(sizes.rows['messages']!)} messages + ` +
      `${n(sizes.rows['notes']!)} notes, ${sizes.rows['connections']} connections, ${sizes.rows['operators']} operators in ${sizes.rows['memberships']} memberships, ` +
      `${n(sizes.rows['read_marks']!)} read marks. Database ${seed.databaseName}: ${gb(sizes.databaseBytes)} (` +
      sizes.relations.map((r) => `${r.name} ${gb(r.tableBytes)} + indexes ${gb(r.indexBytes)}`).join(', ') +
      ').',
    seed.reused
      ? `Seed: reused the database seeded ${seed.seededAt.toISOString()} (that seed took ${seed.seedSeconds.toFixed(0)} s); use --reseed to rebuild.`
      : `Seed: ${seed.seedSeconds.toFixed(0)} s (${slowestSteps(seed.steps)}).`,
    ...(seed.migrationsApplied.length > 0 && seed.reused ? [`Migrations applied to the reused database by this run: ${seed.migrationsApplied.join(', ')}.`] : []),
    '',
    `Each row: up to ${report.options.warmup} unmeasured iterations (at most ${(report.options.maxSeconds / 3).toFixed(0)} s), then up to ` +
      `${report.options.iterations} measured ones, one at a time, parameters varied per iteration (a row stops after ${report.options.maxSeconds} s once it ` +
      `has 5 samples, so slow rows have small n), through the product's own query services (ChatQueryService, ChatSearchService) on the chat ` +
      "service's own pool setup (createChatDataSource), with viewers from loadViewer. Operator rows rotate through 20 operators (members of 1-3 " +
      'connections; each sees 0.5% to 30% of all chats, 11% on average). "matches" is for the first iteration\'s parameters. Times in ms.',
  ];
  for (const group of ['list', 'counts', 'search'] as const) {
    const rows = report.results.filter((r) => r.scenario.group === group);
    if (rows.length === 0) continue;
    lines.push('', `### ${GROUP_TITLES[group]}`, '', '| query | role | matches | n | p50 | p95 | p99 | max | target (p95) | ok? |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const s = r.summary;
      lines.push(
        `| ${r.scenario.name} | ${r.scenario.role} | ${r.matches ?? ''} | ${s.count} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | < ${r.scenario.targetMs} | ${s.p95 < r.scenario.targetMs ? 'yes' : '**NO**'} |`,
      );
    }
  }
  lines.push('', ...renderFanout(report.fanout), '', ...renderVerdict(report));
  return lines.join('\n');
}

function slowestSteps(steps: { step: string; seconds: number }[]): string {
  return [...steps]
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 6)
    .map((s) => `${s.step} ${s.seconds.toFixed(0)} s`)
    .join(', ');
}

function renderFanout(fanout: Report['fanout']): string[] {
  if (fanout === 'skipped') return ['### Fan-out', '', 'Skipped (--skip-fanout).'];
  if ('failed' in fanout) return ['### Fan-out', '', `FAILED: ${fanout.failed}`];
  const row = (label: string, s: FanoutResult['responseToLast'], target?: number) =>
    `| ${label} | ${s.count} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} | ${target ? `< ${target}` : ''} | ${target ? (s.p95 < target ? 'yes' : '**NO**') : ''} |`;
  return [
    `### Fan-out: one chat event to ${n(fanout.subscribers)} operators over graphql-ws`,
    '',
    `The standalone composition (startSwitchboard: gateway, chat, identity, channel-telegram in one process) on a throwaway PostgreSQL database with the ` +
      `log bus; ${n(fanout.subscribers)} operators (${fanout.membersViaApi} made members through setConnectionMembers, the rest in SQL: the API caps the ` +
      `list at 100) subscribed from a worker thread (connected in ${fanout.connectSeconds.toFixed(1)} s). The admin adds a note (addNote through the gateway) ` +
      `${fanout.events} times, one at a time.${fanout.incomplete > 0 ? ` **${fanout.incomplete} events did not reach every subscriber within 10 s.**` : ''}`,
    '',
    '| measure | n | p50 | p95 | max | target (p95) | ok? |',
    '|---|---|---|---|---|---|---|',
    row('mutation response → last subscriber has the event', fanout.responseToLast, FANOUT_TARGET_MS),
    row('mutation sent → last subscriber', fanout.sendToLast),
    row('mutation sent → first subscriber', fanout.sendToFirst),
    row('addNote round trip', fanout.mutation),
  ];
}

function renderVerdict(report: Report): string[] {
  const missed = report.results.filter((r) => !(r.summary.p95 < r.scenario.targetMs));
  const lines = ['### Targets'];
  if (report.results.length === 0) lines.push('');
  else if (missed.length === 0) lines.push('', 'Every list, count and search row met its p95 target.', '');
  else {
    lines.push('', `${missed.length} of ${report.results.length} query rows missed their p95 target:`, '');
    for (const r of missed) lines.push(`- ${r.scenario.group}: ${r.scenario.name} (${r.scenario.role}): p95 ${ms(r.summary.p95)} ms, target ${r.scenario.targetMs} ms`);
    lines.push('');
  }
  const fanout = report.fanout;
  if (fanout !== 'skipped' && !('failed' in fanout)) {
    lines.push(`Fan-out p95 ${ms(fanout.responseToLast.p95)} ms (target ${FANOUT_TARGET_MS} ms): ${fanout.responseToLast.p95 < FANOUT_TARGET_MS ? 'met' : '**missed**'}.`);
  }
  return lines;
}
