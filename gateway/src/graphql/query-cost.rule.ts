import {
  GraphQLError,
  Kind,
  getNamedType,
  isCompositeType,
  isObjectType,
  isInterfaceType,
  type ASTVisitor,
  type GraphQLCompositeType,
  type GraphQLField,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export const MAX_QUERY_COST = 20_000;
export const QUERY_TOO_COSTLY = 'QUERY_TOO_COSTLY';

/** A class of its own, like QueryTooDeepError, so the error formatter can restore the code Apollo relabels. */
export class QueryTooCostlyError extends GraphQLError {}

/** A page size given as a variable counts as the largest page any field allows. */
const VARIABLE_PAGE_SIZE = 200;

/**
 * Rejects operations whose worst-case size is too large. Each field costs 1; a paged field (one with a
 * `first` argument) multiplies the cost of what is selected under it by its page size: the value given,
 * or the field's default. So `chats(first: 100) { edges { node { messages(first: 200) { ... } } } }`
 * costs about 100 x 200 x fields, however shallow, and is refused before any subgraph is called.
 */
export function queryCostRule(maxCost: number = MAX_QUERY_COST): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const schema = context.getSchema();
      const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
      if (!root) return false;
      const cost = selectionCost(operation.selectionSet, root, context, new Set());
      if (cost > maxCost) {
        const name = operation.name ? `"${operation.name.value}" ` : '';
        context.reportError(
          new QueryTooCostlyError(`Operation ${name}could return about ${cost} items; the limit is ${maxCost}: ask for smaller pages or fewer nested lists`, {
            nodes: [operation],
            extensions: { code: QUERY_TOO_COSTLY, maxCost, cost },
          }),
        );
      }
      return false;
    },
  });
}

function pageSize(definition: GraphQLField<unknown, unknown>, given: { kind: string; value?: string } | undefined): number {
  const first = definition.args.find((a) => a.name === 'first');
  if (!first) return 1;
  if (given?.kind === Kind.INT) return Math.max(0, Number(given.value));
  if (given) return VARIABLE_PAGE_SIZE;
  return typeof first.defaultValue === 'number' ? first.defaultValue : VARIABLE_PAGE_SIZE;
}

function selectionCost(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, context: ValidationContext, fragmentsOnPath: Set<string>): number {
  let total = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
      total += 1;
      if (!definition || !selection.selectionSet) continue;
      const type = getNamedType(definition.type);
      if (!isCompositeType(type)) continue;
      const given = selection.arguments?.find((a) => a.name.value === 'first')?.value as { kind: string; value?: string } | undefined;
      total += pageSize(definition, given) * selectionCost(selection.selectionSet, type, context, fragmentsOnPath);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typeName = selection.typeCondition?.name.value;
      const type = typeName ? context.getSchema().getType(typeName) : parent;
      if (type && isCompositeType(type)) total += selectionCost(selection.selectionSet, type, context, fragmentsOnPath);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment || fragmentsOnPath.has(name)) continue;
      const type = context.getSchema().getType(fragment.typeCondition.name.value);
      if (!type || !isCompositeType(type)) continue;
      fragmentsOnPath.add(name);
      total += selectionCost(fragment.selectionSet, type, context, fragmentsOnPath);
      fragmentsOnPath.delete(name);
    }
  }
  return total;
}
