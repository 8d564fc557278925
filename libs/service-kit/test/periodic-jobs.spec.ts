import { Writable } from 'node:stream';
import pino from 'pino';
import { PeriodicJobs } from '../src';

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string; job?: string; removed?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timers on a loaded machine run late: wait for what must happen rather than for a fixed time. */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('PeriodicJobs', () => {
  it('runs each job at its interval once started, and not after stop', async () => {
    const { logger } = capturingLogger();
    let runs = 0;
    const jobs = new PeriodicJobs(logger).every('count', 20, async () => void runs++);
    await sleep(60);
    expect(runs).toBe(0);
    jobs.start();
    await until(() => runs >= 3);
    await jobs.stop();
    const atStop = runs;
    await sleep(60);
    expect(runs).toBe(atStop);
  });

  it('logs a failed run and runs the job again at the next interval', async () => {
    const { logger, lines } = capturingLogger();
    let attempts = 0;
    const jobs = new PeriodicJobs(logger).every('flaky', 15, async () => {
      attempts++;
      if (attempts === 1) throw new Error('database unreachable');
    });
    jobs.start();
    await until(() => attempts >= 2);
    await jobs.stop();
    const failure = lines.find((line) => line.level === 50);
    expect(failure).toMatchObject({ job: 'flaky', msg: 'flaky failed; it runs again in 15 ms' });
  });

  it('never overlaps a slow run with the next tick, and stop waits for the run in flight', async () => {
    const { logger } = capturingLogger();
    let concurrent = 0;
    let maxConcurrent = 0;
    let finished = 0;
    const jobs = new PeriodicJobs(logger).every('slow', 10, async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await sleep(50);
      concurrent--;
      finished++;
    });
    jobs.start();
    await until(() => finished >= 2 && concurrent === 1);
    await jobs.stop();
    expect(maxConcurrent).toBe(1);
    expect(concurrent).toBe(0);
    expect(finished).toBeGreaterThanOrEqual(3);
  });

  it('a retention job passes the cutoff and logs how many rows went, only when some did', async () => {
    const { logger, lines } = capturingLogger();
    const cutoffs: Date[] = [];
    const removed = [3, 0];
    const jobs = new PeriodicJobs(logger).retain('old rows', 48, async (olderThan) => {
      cutoffs.push(olderThan);
      return removed.shift() ?? 0;
    });
    const before = Date.now();
    await jobs.runNow('old rows');
    await jobs.runNow();
    expect(cutoffs).toHaveLength(2);
    const hoursBack = (before - cutoffs[0]!.getTime()) / 3_600_000;
    expect(hoursBack).toBeGreaterThan(47.99);
    expect(hoursBack).toBeLessThan(48.01);
    expect(lines.filter((line) => line.job === 'old rows')).toEqual([expect.objectContaining({ removed: 3, msg: 'old rows: removed 3 rows past retention' })]);
  });

  it('refuses a job without a positive interval or retention, and runNow of an unknown job', async () => {
    const { logger } = capturingLogger();
    const jobs = new PeriodicJobs(logger);
    expect(() => jobs.every('never', 0, async () => undefined)).toThrow('periodic job never: interval must be positive, got 0');
    expect(() => jobs.retain('forever', -1, async () => 0)).toThrow('retention job forever: retention must be positive, got -1 hours');
    await expect(jobs.runNow('missing')).rejects.toThrow('no periodic job named missing');
  });
});
