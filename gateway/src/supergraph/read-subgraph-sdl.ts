import { readFile } from 'node:fs/promises';
import { subgraphSdlPath, type SubgraphDefinition } from '../subgraphs';
import type { SubgraphSdl } from './compose-supergraph';

/** Reads every subgraph's SDL file, naming the files that are missing instead of failing on the first. */
export async function readSubgraphSdl(subgraphs: readonly SubgraphDefinition[]): Promise<SubgraphSdl[]> {
  const results = await Promise.allSettled(subgraphs.map(async (s) => ({ name: s.name, sdl: await readFile(subgraphSdlPath(s), 'utf8') })));
  const missing = results.flatMap((r, i) => (r.status === 'rejected' ? [`${subgraphs[i].sdlFile}: ${(r.reason as Error).message}`] : []));
  if (missing.length > 0) throw new Error(`Cannot read subgraph SDL:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  return results.map((r) => (r as PromiseFulfilledResult<SubgraphSdl>).value);
}
