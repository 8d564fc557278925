import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';

export const MAX_QUERY_DEPTH = 12;
export const QUERY_TOO_DEEP = 'QUERY_TOO_DEEP';

/**
 * Raised by the depth rule. A class of its own because Apollo Server re-labels every validation error
 * GRAPHQL_VALIDATION_FAILED; the gateway's error formatter recognises this class and restores the code.
 */
export class QueryTooDeepError extends GraphQLError {}

/**
 * Rejects operations nested deeper than maxDepth fields, counting through fragments. Deep nesting is the
 * cheapest way to make the gateway fan out into many subgraph calls, so it is refused before planning.
 * Introspection fields (__schema, __type, ...) are not counted: the standard introspection query is
 * deep by design and introspection is already limited to authenticated callers.
 */
export function queryDepthRule(maxDepth: number = MAX_QUERY_DEPTH): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const depth = selectionDepth(operation.selectionSet, context, new Set());
      if (depth > maxDepth) {
        const name = operation.name ? `"${operation.name.value}" ` : '';
        context.reportError(
          new QueryTooDeepError(`Operation ${name}is nested ${depth} levels deep; the limit is ${maxDepth}`, {
            nodes: [operation],
            extensions: { code: QUERY_TOO_DEEP, maxDepth, depth },
          }),
        );
      }
      return false; // the depth is known; nothing below needs visiting
    },
  });
}

function selectionDepth(selectionSet: SelectionSetNode, context: ValidationContext, fragmentsOnPath: Set<string>): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const below = selection.selectionSet ? selectionDepth(selection.selectionSet, context, fragmentsOnPath) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, context, fragmentsOnPath));
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      // Cycles are reported by graphql's NoFragmentCyclesRule; here they only must not recurse forever.
      if (!fragment || fragmentsOnPath.has(name)) continue;
      fragmentsOnPath.add(name);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, context, fragmentsOnPath));
      fragmentsOnPath.delete(name);
    }
  }
  return deepest;
}
