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

/** How often a stopping server closes the connections that have turned idle since it began to stop. */
const IDLE_SWEEP_MS = 50;

/**
 * Runs `close` (which ends in `server.close()`) while closing every connection as soon as it is idle.
 * `server.close()` closes the connections idle at that moment, but one that was answering a request turns
 * idle afterwards and would hold the close for the whole keep-alive timeout (65 s: past Kubernetes' grace
 * period, so the pod would be killed instead of stopping cleanly).
 */
export async function closeWhenIdle(server: Pick<Server, 'closeIdleConnections'>, close: () => Promise<void>): Promise<void> {
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await close();
  } finally {
    clearInterval(sweep);
  }
}
