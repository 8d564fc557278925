/*
 * bench/inbox (issue 4): latency of the inbox list (every filter combination), its tab counts and search
 * over 1,000,000 chats with 10,000,000 messages in Ukrainian, Russian and English, and the time to fan
 * one chat event out to 1,000 connected operators.
 *
 *   npm run bench:inbox -- [--scale F] [--reseed] [--iterations N] [--skip-fanout] ...
 *
 * The seeded database (switchboard_bench_inbox, or ..._<scale> for other scales) is kept between runs
 * and reused while it matches. The report (markdown) goes to stdout, progress to stderr.
 */
import { createChatDataSource } from '@switchboard/chat';
import { loadViewer } from '@switchboard/chat/src/access/viewer';
import { ChatQueryService } from '@switchboard/chat/src/chats/chat-query.service';
import { ChatSearchService } from '@switchboard/chat/src/search/chat-search.service';
import { adminDatabaseUrl } from '@switchboard/testing';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import pino from 'pino';
import { ADMIN, OPERATORS, scaleOf } from './dataset';
import { explainScenario } from './explain';
import { measureFanout } from './fanout';
import { measure, type ScenarioResult } from './measure';
import { dataSizes, environment, renderReport, type Report } from './report';
import { listScenarios, searchScenarios } from './scenarios';
import { prepareDatabase } from './seed';
import { verifyLists } from './verify';

const USAGE = `usage: npm run bench:inbox -- [options]
  --scale F          fraction of the full data set (1,000,000 chats, 10,000,000 messages); default 1, e.g. 0.01 for a smoke run
  --reseed           rebuild the seeded database even if it matches
  --iterations N     measured iterations per query (default 200)
  --warmup N         unmeasured iterations per query first (default 10)
  --max-seconds S    per query: warm up for at most S/3 seconds, stop measuring after S seconds once it has 5 samples (default 30)
  --only REGEX       only the queries whose "group: name" matches (groups: list, counts, search)
  --explain REGEX    instead of measuring, print EXPLAIN (ANALYZE, BUFFERS) of the matching queries' statements (stderr)
  --explain-iteration N   which iteration's parameters to explain (default 0)
  --verify N         instead of measuring, compare N iterations of every list case (pages 1-2 and counts, admin
                     and operator) with a plain reference query; exits 1 on any difference
  --rare-word-chats N   keyword pages: the chat service's SEARCH_RARE_WORD_CHATS (default its default; 0 always
                     walks an operator's chats, e.g. with --verify at a small scale, where every word looks rare)
  --skip-queries     no list/count/search measurements (seed and fan-out only)
  --skip-fanout      no fan-out measurement
  --subscribers N    fan-out: connected operators (default 1000)
  --events N         fan-out: measured events (default 20)`;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: '1' },
      reseed: { type: 'boolean', default: false },
      iterations: { type: 'string', default: '200' },
      warmup: { type: 'string', default: '10' },
      'max-seconds': { type: 'string', default: '30' },
      only: { type: 'string' },
      explain: { type: 'string' },
      verify: { type: 'string' },
      'explain-iteration': { type: 'string', default: '0' },
      'rare-word-chats': { type: 'string' },
      'skip-queries': { type: 'boolean', default: false },
      'skip-fanout': { type: 'boolean', default: false },
      subscribers: { type: 'string', default: '1000' },
      events: { type: 'string', default: '20' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name: 'scale' | 'iterations' | 'warmup' | 'max-seconds' | 'subscribers' | 'events' | 'explain-iteration' | 'verify' | 'rare-word-chats', integer: boolean, min: number) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) throw new Error(`--${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}\n${USAGE}`);
    return value;
  };
  const fraction = number('scale', false, 0.000001);
  if (fraction > 1) throw new Error(`--scale must be at most 1\n${USAGE}`);
  return {
    fraction,
    reseed: values.reseed,
    iterations: number('iterations', true, 1),
    warmup: number('warmup', true, 0),
    maxSeconds: number('max-seconds', false, 0),
    only: values.only ? new RegExp(values.only, 'i') : undefined,
    explain: values.explain ? new RegExp(values.explain, 'i') : undefined,
    explainIteration: number('explain-iteration', true, 0),
    verify: values.verify === undefined ? undefined : number('verify', true, 1),
    rareWordChats: values['rare-word-chats'] === undefined ? undefined : number('rare-word-chats', true, 0),
    skipQueries: values['skip-queries'],
    skipFanout: values['skip-fanout'],
    subscribers: number('subscribers', true, 1),
    events: number('events', true, 1),
  };
}

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const scale = scaleOf(options.fraction);
  const seed = await prepareDatabase({ adminUrl: adminDatabaseUrl(), fraction: options.fraction, scale, reseed: options.reseed, progress });

  const client = new Client({ connectionString: seed.databaseUrl });
  await client.connect();
  const env = await environment(client);
  // The chat service's own pool setup (createChatDataSource: its session settings), as startChatService makes it.
  const dataSource = createChatDataSource({ url: seed.databaseUrl, applicationName: 'bench-inbox' });
  await dataSource.initialize();
  const results: ScenarioResult[] = [];
  try {
    if (!options.skipQueries) {
      const queries = new ChatQueryService(dataSource, { rareWordChats: options.rareWordChats });
      const ctx = {
        dataSource,
        queries,
        search: new ChatSearchService(dataSource, queries),
        admin: await loadViewer(dataSource, ADMIN),
        operators: await Promise.all(OPERATORS.filter((_, i) => i % 10 === 0).map((o) => loadViewer(dataSource, o))),
        scale,
      };
      const scenarios = [...listScenarios(ctx), ...searchScenarios(ctx)].filter((s) => !options.only || options.only.test(`${s.group}: ${s.name}`));
      if (options.verify) {
        const problems = await verifyLists(ctx, options.verify, options.only, progress);
        for (const problem of problems) progress(`MISMATCH ${problem}`);
        progress(problems.length === 0 ? 'verify: every list page and count matches the reference' : `verify: ${problems.length} mismatches`);
        process.exitCode = problems.length === 0 ? 0 : 1;
        return;
      }
      if (options.explain) {
        for (const scenario of scenarios.filter((s) => options.explain!.test(`${s.group}: ${s.name} (${s.role})`))) {
          process.stderr.write(`${await explainScenario(dataSource, scenario, options.explainIteration)}\n\n`);
        }
        return;
      }
      for (const [index, scenario] of scenarios.entries()) {
        const result = await measure(scenario, { warmup: options.warmup, iterations: options.iterations, maxSeconds: options.maxSeconds, minIterations: 5 });
        results.push(result);
        const s = result.summary;
        progress(
          `[${index + 1}/${scenarios.length}] ${scenario.group}: ${scenario.name} (${scenario.role}): p50 ${s.p50.toFixed(1)} p95 ${s.p95.toFixed(1)} p99 ${s.p99.toFixed(1)} ms, n=${s.count}${result.matches ? `, ${result.matches}` : ''}`,
        );
      }
    }
    const sizes = await dataSizes(client);
    let fanout: Report['fanout'] = 'skipped';
    if (!options.skipFanout) {
      const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'bench-inbox' } }, pino.destination(2));
      try {
        fanout = await measureFanout({ subscribers: options.subscribers, events: options.events, warmupEvents: 3 }, logger, progress);
      } catch (error) {
        progress(`fan-out failed: ${(error as Error).stack ?? String(error)}`);
        fanout = { failed: (error as Error).message };
      }
    }
    const report: Report = {
      env,
      loadAverageAtEnd: os.loadavg(),
      seed,
      sizes,
      results,
      fanout,
      options: { fraction: options.fraction, iterations: options.iterations, warmup: options.warmup, maxSeconds: options.maxSeconds },
    };
    console.log(renderReport(report));
  } finally {
    await dataSource.destroy();
    await client.end();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(1);
  },
);
