#!/usr/bin/env node
/*
 * Regenerates docs/observability/trace-example.md (waterfall) and trace-example.otlp.json (the raw OTLP/HTTP
 * JSON) from a real run: the tracing e2e test traces one Telegram message through the standalone stack and,
 * with TRACE_EXAMPLE_WRITE=1, writes what it exported. A plain test run only checks the committed example
 * still has that run's shape (decision 0037), so the files change only when this is run.
 */
const { spawnSync } = require('node:child_process');

// PGlite loads its WASM with a dynamic import, which jest's VM sandbox only allows with this flag.
const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].filter(Boolean).join(' ');
const result = spawnSync('npx', ['jest', 'test/e2e/tracing.e2e.spec.ts', '--maxWorkers=1'], {
  stdio: 'inherit',
  env: { ...process.env, NODE_OPTIONS: nodeOptions, TRACE_EXAMPLE_WRITE: '1' },
});
process.exit(result.status ?? 1);
