import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { GatewayContext } from './gateway-context';
import { unauthenticated } from './unauthenticated.error';

/**
 * Root fields an anonymous caller may use. Everything else, introspection included, needs an access
 * token. Names are matched on any operation type; validation has already checked each field exists.
 */
export const PUBLIC_ROOT_FIELDS: readonly string[] = ['login'];

/**
 * Rejects operations from anonymous callers unless every root field is public. It runs after validation
 * and before the query plan, so an anonymous caller never reaches a subgraph except through login.
 */
export function publicOperationsPlugin(publicRootFields: readonly string[] = PUBLIC_ROOT_FIELDS): ApolloServerPlugin<GatewayContext> {
  const allowed = new Set(publicRootFields);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (contextValue.principal) return;
          // Apollo Server always resolves an operation before this hook; fail closed if it ever did not.
          if (!operation) throw unauthenticated('Log in first: this operation needs an access token');
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const fields = rootFieldNames(operation, fragments);
          if (fields.length === 0 || fields.some((field) => !allowed.has(field))) {
            throw unauthenticated('Log in first: this operation needs an access token');
          }
        },
      };
    },
  };
}

/** Root field names of an operation, looking through fragments and inline fragments at the root. */
export function rootFieldNames(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>): string[] {
  const names: string[] = [];
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return names;
}
