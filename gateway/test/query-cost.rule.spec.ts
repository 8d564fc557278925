import { composeServices } from '@apollo/composition';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { queryCostRule } from '../src/graphql/query-cost.rule';
import { readSubgraphSdl } from '../src/supergraph/read-subgraph-sdl';
import { SUBGRAPHS } from '../src/subgraphs';

/** The cost rule against the real API schema (the composed supergraph's API view), as the gateway validates. */
let schema: GraphQLSchema;
beforeAll(async () => {
  const subgraphs = await readSubgraphSdl(SUBGRAPHS);
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: `http://${s.name}`, typeDefs: parse(s.sdl) })));
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  schema = result.schema.toAPISchema().toGraphQLJSSchema();
});
const costOf = (query: string, max = 1_000_000) => {
  const errors = validate(schema, parse(query), [queryCostRule(max)]);
  return errors.map((e) => e.extensions);
};

describe('query cost rule', () => {
  it('accepts an ordinary chat list page with its last messages', () => {
    expect(costOf(`{ chats(first: 30) { edges { node { id number messages(first: 20) { edges { node { id text } } } } } } }`, 20_000)).toEqual([]);
  });

  it('multiplies nested page sizes, using field defaults when first is omitted, and refuses the large ones', () => {
    const [error] = costOf(`{ chats(first: 100) { edges { node { id messages(first: 200) { edges { node { id text sentAt } } } } } } }`, 20_000);
    expect(error).toMatchObject({ code: 'QUERY_TOO_COSTLY', maxCost: 20_000 });
    expect(error!['cost']).toBeGreaterThan(100 * 200 * 3);
    const [defaults] = costOf(`{ chats { edges { node { messages { edges { node { id text sentAt } } } } } } }`, 1_000);
    expect(defaults!['cost']).toBeGreaterThan(30 * 50 * 3);
  });

  it('counts fragments and treats a variable page size as the largest page', () => {
    const [error] = costOf(
      `query($n: Int) { chats(first: $n) { ...Rows } } fragment Rows on ChatConnection { edges { node { timeline(first: $n) { edges { cursor } } } } }`,
      10_000,
    );
    expect(error).toMatchObject({ code: 'QUERY_TOO_COSTLY' });
  });
});
