// Enum types of the public schema, taken from the generated introspection types so they cannot drift.
// Type-only: pure modules (URL state, i18n) use them without pulling in the GraphQL runtime.
import type { introspection_types } from './graphql-env';

export type Channel = introspection_types['Channel']['enumValues'];
export type ChatListType = introspection_types['ChatListType']['enumValues'];
export type DeliveryState = introspection_types['DeliveryState']['enumValues'];
export type ActivityType = introspection_types['ActivityType']['enumValues'];
