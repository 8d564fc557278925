// Composes the subgraphs' SDL into gateway/supergraph.graphql (the file the gateway serves).
//   npm run supergraph             rewrite the file
//   npm run supergraph -- --check  write nothing; exit 1 when the file is stale or composition fails (CI)
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { REPO_ROOT, SUBGRAPHS, SUPERGRAPH_FILE } from '../gateway/src/subgraphs';
import { composeSupergraph, renderSupergraphFile } from '../gateway/src/supergraph/compose-supergraph';
import { readSubgraphSdl } from '../gateway/src/supergraph/read-subgraph-sdl';

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const target = relative(REPO_ROOT, SUPERGRAPH_FILE);
  let expected: string;
  try {
    expected = renderSupergraphFile(composeSupergraph(await readSubgraphSdl(SUBGRAPHS)));
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  }
  if (check) {
    const current = await readFile(SUPERGRAPH_FILE, 'utf8').catch(() => undefined);
    if (current === expected) {
      console.log(`${target} is up to date.`);
      return 0;
    }
    console.error(`${target} is ${current === undefined ? 'missing' : 'stale'}: run \`npm run supergraph\` and commit the result.`);
    return 1;
  }
  await writeFile(SUPERGRAPH_FILE, expected);
  console.log(`Wrote ${target} from ${SUBGRAPHS.length} subgraphs.`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
