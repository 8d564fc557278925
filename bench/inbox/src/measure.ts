import { summarise, type LatencySummary } from './percentiles';

export type Role = 'admin' | 'operator' | 'any';
export type ScenarioGroup = 'list' | 'counts' | 'search';

/** The timed call of one iteration; preparing it (e.g. fetching page 1 for a page-2 cursor) is not timed. */
export type Timed = () => Promise<unknown>;

export interface Scenario {
  group: ScenarioGroup;
  /** What is measured, e.g. "listChats: 3 channels". */
  name: string;
  role: Role;
  targetMs: number;
  prepare(iteration: number): Promise<Timed> | Timed;
  /** How much data the first iteration's parameters match (for the report), e.g. "41,203 chats". */
  describe?(): Promise<string>;
}

export interface MeasureOptions {
  warmup: number;
  iterations: number;
  /** Stop a scenario after this long (at least `minIterations` samples), so a slow query cannot stall the run. */
  maxSeconds: number;
  minIterations: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  summary: LatencySummary;
  /** The scenario's describe(), when it has one. */
  matches: string | undefined;
}

/**
 * Runs each iteration alone (one client, one query at a time: latency, not throughput), after up to
 * `warmup` unmeasured ones with other parameters than the measured ones. A slow query gets fewer
 * iterations: warm-up stops after a third of the budget, measuring after the budget once it has
 * `minIterations` samples.
 */
export async function measure(scenario: Scenario, options: MeasureOptions): Promise<ScenarioResult> {
  const warmupDeadline = performance.now() + (options.maxSeconds * 1000) / 3;
  for (let i = 0; i < options.warmup && (i === 0 || performance.now() < warmupDeadline); i++) await (await scenario.prepare(options.iterations + i))();
  const samples: number[] = [];
  const deadline = performance.now() + options.maxSeconds * 1000;
  for (let i = 0; i < options.iterations; i++) {
    if (samples.length >= options.minIterations && performance.now() > deadline) break;
    const timed = await scenario.prepare(i);
    const started = performance.now();
    await timed();
    samples.push(performance.now() - started);
  }
  return { scenario, summary: summarise(samples)!, matches: scenario.describe ? await scenario.describe() : undefined };
}
