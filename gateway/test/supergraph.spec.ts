import { existsSync, readFileSync } from 'node:fs';
import { SUBGRAPHS, SUPERGRAPH_FILE } from '../src/subgraphs';
import { SupergraphCompositionError, composeSupergraph, renderSupergraphFile } from '../src/supergraph/compose-supergraph';
import { readSubgraphSdl } from '../src/supergraph/read-subgraph-sdl';

const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])';

describe('composeSupergraph', () => {
  it('composes Federation 2 subgraphs into one supergraph with placeholder URLs', () => {
    const supergraph = composeSupergraph([
      {
        name: 'identity',
        sdl: `${FEDERATION_LINK}
          type Employee @key(fields: "id") { id: ID! name: String! }
          type Query { employee(id: ID!): Employee }`,
      },
      {
        name: 'chat',
        sdl: `${FEDERATION_LINK}
          type Employee @key(fields: "id") { id: ID! assignedChats: [Chat!]! }
          type Chat @key(fields: "id") { id: ID! title: String! }
          type Query { chats: [Chat!]! }`,
      },
    ]);
    expect(supergraph).toContain('type Employee');
    expect(supergraph).toContain('assignedChats: [Chat!]!');
    expect(supergraph).toContain('url: "http://identity.subgraph/graphql"');
    expect(supergraph).toContain('url: "http://chat.subgraph/graphql"');
  });

  it('throws naming the conflict when subgraphs disagree', () => {
    const compose = () =>
      composeSupergraph([
        { name: 'identity', sdl: `${FEDERATION_LINK}\n type Employee @key(fields: "id") @shareable { id: ID! name: String! } type Query { a: Employee }` },
        { name: 'chat', sdl: `${FEDERATION_LINK}\n type Employee @key(fields: "id") @shareable { id: ID! name: Int! } type Query { b: Employee }` },
      ]);
    expect(compose).toThrow(SupergraphCompositionError);
    expect(compose).toThrow(/Employee\.name/);
  });

  it('names the subgraph whose SDL does not parse', () => {
    expect(() => composeSupergraph([{ name: 'chat', sdl: 'type Query {' }])).toThrow(/subgraph "chat"/);
  });
});

// Fails while a subgraph's SDL file is missing or the checked-in supergraph is stale: that is the CI gate.
describe('gateway/supergraph.graphql', () => {
  it('is what `npm run supergraph` would write (run it and commit when this fails)', async () => {
    const expected = renderSupergraphFile(composeSupergraph(await readSubgraphSdl(SUBGRAPHS)));
    const current = existsSync(SUPERGRAPH_FILE) ? readFileSync(SUPERGRAPH_FILE, 'utf8') : '(missing)';
    expect(current).toBe(expected);
  });
});
