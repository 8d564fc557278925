// @switchboard/bench: benchmarks over the composed product. Run them with their npm scripts
// (`npm run bench:ingest`); this entry exposes the pieces for reuse by other benchmarks.
export { benchmarkRuntime, type IngestOptions, type RuntimeResult } from '../ingest/src/ingest-benchmark';
export { measureCeiling, type CeilingResult } from '../ingest/src/ceiling';
export { startBenchStack, type BenchStack, type Runtime } from '../ingest/src/stack';
export { summarise, type LatencySummary } from '../ingest/src/percentiles';
