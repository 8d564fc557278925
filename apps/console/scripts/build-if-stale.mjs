#!/usr/bin/env node
/*
 * `npm start` runs this first (prestart): builds the console when its sources (or the schema it is typed
 * against) are newer than the last build, so a fresh checkout serves the console at / and a restart does
 * not wait for a rebuild. The e2e browser test calls it too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoDir = join(appDir, '..', '..');
const built = join(appDir, 'dist', 'index.html');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const inputs = [
  join(appDir, 'src'),
  join(appDir, 'index.html'),
  join(appDir, 'vite.config.ts'),
  join(appDir, 'package.json'),
  join(repoDir, 'gateway', 'supergraph.graphql'),
  join(repoDir, 'gateway', 'src', 'live', 'live-subscriptions.ts'),
];
const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
if (Math.max(...inputs.map(newest)) > builtAt) {
  console.log('apps/console: building the operator console');
  // A production bundle even when called from jest (NODE_ENV=test would make Vite bundle React's dev build).
  execFileSync('npm', ['run', 'build', '--workspace', '@switchboard/console'], { cwd: repoDir, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
} else {
  console.log('apps/console: the built console is up to date');
}
