import type { Server } from 'node:http';

/**
 * How long a service keeps an idle keep-alive connection open. Node's default is 5 s (it advertises
 * `Keep-Alive: timeout=5` and closes a second later), shorter than the idle timeout of what talks to us:
 * ingress-nginx keeps upstream connections for 60 s (upstream-keepalive-timeout), cloud load balancers
 * 60 s, and a Node agent without a `timeout` option ignores the hint and keeps its sockets until the server
 * closes them. A client that reuses a connection at the moment the server closes it gets a reset: a 502 from
 * the ingress for a POST (nginx does not retry those), ECONNRESET for a direct caller. So the server must be
 * the side that waits longer: 65 s outlasts those 60 s.
 */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Applies the keep-alive timeout above to an HTTP server; every service and the gateway call it. */
export function applyKeepAliveTimeout(server: Pick<Server, 'keepAliveTimeout'>): void {
  server.keepAliveTimeout = HTTP_KEEP_ALIVE_TIMEOUT_MS;
}
