'use strict';
/*
 * Container entry point. One image holds every deployable; SERVICE picks the role at start
 * (docs/decisions: "one container image, role chosen at start"):
 *   SERVICE=gateway           -> gateway/src/main.ts
 *   SERVICE=migrate           -> scripts/migrate.ts (every service's schema, then exit)
 *   SERVICE=<name>            -> services/<name>/src/main.ts (identity, chat, channel-telegram, ...)
 * The entry point is loaded in this process (no child), so tini (PID 1) forwards SIGTERM straight to the
 * Node process whose main.ts drains consumers and closes the database before exiting.
 */
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const special = { gateway: 'gateway/src/main.ts', migrate: 'scripts/migrate.ts' };

function availableRoles() {
  const services = readdirSync(path.join(root, 'services')).filter((name) => existsSync(path.join(root, 'services', name, 'src', 'main.ts')));
  return [...Object.keys(special), ...services].sort();
}

const role = (process.env.SERVICE || '').trim();
// The role becomes part of a path: accept plain service names only.
const entry = /^[a-z][a-z0-9-]*$/.test(role) ? special[role] || `services/${role}/src/main.ts` : undefined;
if (!entry || !existsSync(path.join(root, entry))) {
  console.error(`SERVICE=${JSON.stringify(role)} is not a role of this image. Set SERVICE to one of: ${availableRoles().join(', ')}`);
  process.exit(64); // EX_USAGE
}

require(path.join(root, 'scripts', 'register.js'));
require(path.join(root, entry));
