/** Latency summary in milliseconds. Exact percentiles over all samples (a few tens of thousands at most). */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles: p99 of 10,000 samples is the 9,900th smallest, never an interpolation. */
export function summarise(samples: readonly number[]): LatencySummary | undefined {
  if (samples.length === 0) return undefined;
  const sorted = Float64Array.from(samples).sort();
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted[sorted.length - 1]! };
}

/** Milliseconds on a wall-clock base that the load worker thread and the main thread share. */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}
