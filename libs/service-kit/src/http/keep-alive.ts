import type { Server } from 'node:http';

/**
 * Idle keep-alive connections stay open longer than clients (undici: about 4 s) and load balancers (60 s)
 * keep them. With Node's default of 5 s, a busy client could send on a connection the server was closing
 * at that moment and get ECONNRESET (seen in the e2e suite under load); the side that closes an idle
 * connection should be the client.
 */
export function keepIdleConnectionsLongerThanClients(server: Server): void {
  server.keepAliveTimeout = 65_000;
  // Must exceed keepAliveTimeout, or Node may cut a request whose headers arrive on a long-idle connection.
  server.headersTimeout = 66_000;
}
