/**
 * The public API is documented in the schema itself (issue 4): every type, field, input field and enum
 * value of every subgraph, and of the gateway's live subscription schema, has a description. (Arguments
 * are described in their field's description, where their ranges are stated.)
 */
import { Kind, parse, type DefinitionNode, type DocumentNode } from 'graphql';
import { LIVE_SCHEMA_SDL } from '../src/live/live-subscriptions';
import { readSubgraphSdl } from '../src/supergraph/read-subgraph-sdl';
import { SUBGRAPHS } from '../src/subgraphs';

/** Root operation types and federation plumbing describe themselves through their fields. */
const EXEMPT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

function undocumented(document: DocumentNode): string[] {
  const missing: string[] = [];
  const check = (node: { description?: { value: string } | undefined }, path: string) => {
    if (!node.description?.value.trim()) missing.push(path);
  };
  for (const definition of document.definitions as readonly DefinitionNode[]) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION: {
        const type = definition.name.value;
        if (definition.kind !== Kind.OBJECT_TYPE_EXTENSION && !EXEMPT_TYPES.has(type)) check(definition, type);
        for (const field of definition.fields ?? []) {
          check(field, `${type}.${field.name.value}`);
        }
        break;
      }
      case Kind.ENUM_TYPE_DEFINITION:
        check(definition, definition.name.value);
        for (const value of definition.values ?? []) check(value, `${definition.name.value}.${value.name.value}`);
        break;
      case Kind.UNION_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
        check(definition, definition.name.value);
        break;
      default:
        break;
    }
  }
  return missing;
}

describe('API documentation in the schema', () => {
  it.each(SUBGRAPHS.map((s) => [s.name, s] as const))('every element of the %s subgraph has a description', async (_name, subgraph) => {
    const [{ sdl }] = await readSubgraphSdl([subgraph]);
    expect(undocumented(parse(sdl!))).toEqual([]);
  });

  it('every element of the live subscription schema has a description', () => {
    expect(undocumented(parse(LIVE_SCHEMA_SDL))).toEqual([]);
  });
});
