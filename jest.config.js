/**
 * One jest run for the whole repo. TypeScript is compiled by SWC with decorator metadata (NestJS injects
 * by type). Suites needing PostgreSQL or Kafka check for them and skip with a reason, unless
 * REQUIRE_INTEGRATION=1 (CI), where a missing dependency fails the run instead.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/{libs,services,gateway,deploy,test,apps}/**/test/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
  maxWorkers: 2,
  // A worker keeps what suites leave behind (PGlite's WASM heaps, NestJS apps, module registries): it grew to
  // 3-5 GB in a full run and spent its time in GC, slowing every later suite. A worker above this after a
  // suite is replaced (about a second).
  workerIdleMemoryLimit: '1GB',
  setupFiles: ['<rootDir>/test/jest.setup.js'],
};
