// Lint = correctness rules + Nx module boundaries: a wrong-direction import (a lib importing a service,
// one service importing another) fails here, not in review.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const depConstraints = [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  // Services meet only through contracts (events) and GraphQL: never import another service.
  { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:gateway', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'] },
  // Composition roots wire everything together.
  { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:service', 'type:gateway', 'type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:deploy', 'type:service', 'type:gateway', 'type:lib', 'type:contracts', 'type:testing'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:deploy', 'type:service', 'type:gateway', 'type:lib', 'type:contracts', 'type:testing'] },
  // The operator console is a client like any other: it reaches the product only through the public
  // GraphQL API, so it imports no workspace package (its types come from the schema by codegen).
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:app'] },
];

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.nx/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Tests of the foundation libs run against the test doubles (Kafka mock cluster, test databases):
    // like services, a lib may use @switchboard/testing in its tests only (its src is covered below).
    files: ['libs/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: depConstraints.map((c) =>
            c.sourceTag === 'type:lib' ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'type:testing'] } : c,
          ),
        },
      ],
    },
  },
  {
    // Service production code must not depend on test doubles; only their tests may.
    files: ['services/*/src/**/*.ts', 'gateway/src/**/*.ts', 'libs/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@switchboard/testing', message: 'Test doubles belong in tests, not in product code.' }] }],
    },
  },
];
