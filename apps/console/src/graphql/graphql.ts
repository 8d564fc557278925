import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env';

/** Typed documents: result and variable types are inferred from the generated schema (scripts/codegen.mjs). */
export const graphql = initGraphQLTada<{ introspection: introspection }>();

export type { ResultOf, VariablesOf } from 'gql.tada';
