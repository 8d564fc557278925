#!/usr/bin/env node
/*
 * The one test command (`npm test`): type-check, lint with module boundaries, check generated artefacts
 * are fresh, then every jest suite. Each step prints its name and time so a slow or red step is obvious.
 */
const { spawnSync } = require('node:child_process');

const steps = [
  ['type-check', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']],
  // Lint's module-boundary rule needs Nx's project graph; without it the rule would silently skip.
  ['project graph', 'npx', ['nx', 'show', 'projects']],
  ['lint (incl. Nx module boundaries)', 'npx', ['eslint', '.', '--max-warnings=0']],
  ['supergraph is up to date', 'node', ['-r', './scripts/register.js', 'scripts/compose-supergraph.ts', '--check']],
  ['AsyncAPI docs are up to date', 'node', ['-r', './scripts/register.js', 'scripts/generate-asyncapi.ts', '--check']],
  // The operator console (browser code, its own tsconfig): its GraphQL types follow the supergraph.
  ['console GraphQL types are up to date', 'node', ['apps/console/scripts/codegen.mjs', '--check']],
  ['console type-check', 'npx', ['tsc', '-p', 'apps/console/tsconfig.json', '--noEmit']],
  // Compose file, Kubernetes overlays (schema, references), Dockerfile lint, Kafka topics vs contracts: what
  // cannot run here is validated. Needs docker-compose and kubectl; skipped with a reason unless REQUIRE_INTEGRATION=1.
  ['deploy manifests validate', 'node', ['-r', './scripts/register.js', 'scripts/validate-deploy.ts']],
  ['jest', 'npx', ['jest', ...process.argv.slice(2)]],
];

const started = Date.now();
for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  process.stdout.write(`\n=== ${name}\n`);
  // PGlite loads its WASM with a dynamic import, which jest's VM sandbox only allows with this flag.
  const nodeOptions = [process.env.NODE_OPTIONS, '--experimental-vm-modules', '--no-warnings=ExperimentalWarning'].filter(Boolean).join(' ');
  const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NODE_OPTIONS: nodeOptions };
  const result = spawnSync(cmd, args, { stdio: 'inherit', env });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds}s)`);
}
console.log(`\nAll checks passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
