import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The subgraph SDL; kept in a .graphql file because the gateway composes the supergraph from that file. */
export const IDENTITY_TYPE_DEFS = readFileSync(join(__dirname, 'identity.graphql'), 'utf8');
