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
  setupFiles: ['<rootDir>/test/jest.setup.js'],
};
