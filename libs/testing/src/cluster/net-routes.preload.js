/*
 * Test-only preload for service processes (`node -r ./scripts/register.js -r <this file> main.ts`): makes
 * outgoing TCP connections to given "host:port" targets dial other addresses instead, from the variable
 * SWITCHBOARD_TEST_NET_ROUTES="127.0.0.1:9092=127.0.0.1:40001,127.0.0.1:9093=127.0.0.1:40002".
 *
 * Why: a Kafka client learns the brokers' addresses from metadata and dials those, so a TCP proxy in front
 * of the bootstrap address alone cuts nothing (libs/testing/src/net/tcp-proxy.ts). In a test's own process
 * kafkajs's socketFactory can translate addresses; a service running as its own process gets the same
 * translation from this file, without any test hook in product code. Only the listed targets are rerouted.
 */
'use strict';
const net = require('node:net');

const routes = new Map();
for (const pair of (process.env.SWITCHBOARD_TEST_NET_ROUTES || '').split(',')) {
  const [from, to] = pair.split('=');
  if (!from || !to) continue;
  const index = to.lastIndexOf(':');
  routes.set(from.trim(), { host: to.slice(0, index).trim(), port: Number(to.slice(index + 1)) });
}

function reroute(args) {
  const options = args[0];
  if (!options || typeof options !== 'object' || options.path !== undefined) return args;
  const host = options.host === 'localhost' ? '127.0.0.1' : options.host || '127.0.0.1';
  const route = routes.get(`${host}:${options.port}`);
  if (!route) return args;
  return [{ ...options, host: route.host, port: route.port }, ...args.slice(1)];
}

if (routes.size > 0) {
  const connect = net.connect;
  const createConnection = net.createConnection;
  net.connect = function (...args) {
    return connect.apply(this, reroute(args));
  };
  net.createConnection = function (...args) {
    return createConnection.apply(this, reroute(args));
  };
}
