// Runs TypeScript sources directly with SWC, keeping decorator metadata (NestJS injects by type),
// so there is one way to run any entry point: `node -r ./scripts/register.js path/to/main.ts`.
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || require('path').join(__dirname, '..', 'tsconfig.base.json');
require('@swc-node/register');
