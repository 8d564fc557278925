import { join } from 'node:path';

/** One federation subgraph: its wire name (also the supergraph's join__Graph name) and its SDL file. */
export interface SubgraphDefinition {
  name: string;
  /** Relative to the repository root. */
  sdlFile: string;
}

/**
 * Every subgraph the supergraph is composed from. Adding a domain service means one line here, one
 * *_SUBGRAPH_URL variable in gateway.config.ts, and `npm run supergraph`.
 */
export const SUBGRAPHS: readonly SubgraphDefinition[] = [
  { name: 'identity', sdlFile: 'services/identity/src/graphql/identity.graphql' },
  { name: 'chat', sdlFile: 'services/chat/src/graphql/chat.graphql' },
  { name: 'channel-telegram', sdlFile: 'services/channel-telegram/src/graphql/channel-telegram.graphql' },
  { name: 'channel-viber', sdlFile: 'services/channel-viber/src/graphql/channel-viber.graphql' },
  { name: 'channel-bridge', sdlFile: 'services/channel-bridge/src/graphql/channel-bridge.graphql' },
  { name: 'tasks', sdlFile: 'services/tasks/src/graphql/tasks.graphql' },
  { name: 'crm', sdlFile: 'services/crm/src/graphql/crm.graphql' },
  { name: 'channel-whatsapp', sdlFile: 'services/channel-whatsapp/src/graphql/channel-whatsapp.graphql' },
  { name: 'channel-meta', sdlFile: 'services/channel-meta/src/graphql/channel-meta.graphql' },
  { name: 'channel-telegram-user', sdlFile: 'services/channel-telegram-user/src/graphql/channel-telegram-user.graphql' },
  { name: 'files', sdlFile: 'services/files/src/graphql/files.graphql' },
];

/** The repository root, found from this file so scripts and tests work from any working directory. */
export const REPO_ROOT = join(__dirname, '..', '..');

/** Where the composed supergraph is checked in. */
export const SUPERGRAPH_FILE = join(REPO_ROOT, 'gateway', 'supergraph.graphql');

export function subgraphSdlPath(subgraph: SubgraphDefinition): string {
  return join(REPO_ROOT, subgraph.sdlFile);
}
