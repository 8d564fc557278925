import type { Server } from 'node:http';
import type { Socket } from 'node:net';

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

/** How often a stopping server closes the connections that have turned idle since it began to stop. */
const IDLE_SWEEP_MS = 50;

/** What a server set up by applyKeepAliveTimeout needs to stop without waiting out that timeout. */
export interface KeepAliveServer {
  /**
   * Runs `close` (which ends in `server.close()`) while closing every connection as soon as it is idle or
   * still unused. `server.close()` closes the connections idle at that moment, but two kinds would hold it
   * for about a minute (past Kubernetes' grace period, so the pod would be killed instead of stopping
   * cleanly): one that was answering a request turns idle only afterwards (then its 65 s keep-alive runs),
   * and one a client opened without sending a request yet (most likely undici connecting ahead and keeping
   * the socket as long as our hint allows) counts as busy until Node's 60 s headers timeout.
   */
  closeWhenIdle(close: () => Promise<void>): Promise<void>;
}

/**
 * Applies the keep-alive timeout above to an HTTP server (every service and the gateway call it) and keeps
 * track of the connections that have not carried a request yet, for closeWhenIdle. The gateway stops through
 * Apollo's drain plugin instead, which ends every socket after its last answer.
 */
export function applyKeepAliveTimeout(server: Server): KeepAliveServer {
  server.keepAliveTimeout = HTTP_KEEP_ALIVE_TIMEOUT_MS;
  const unused = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    unused.add(socket);
    socket.once('close', () => unused.delete(socket));
  });
  server.on('request', (request: { socket: Socket }) => unused.delete(request.socket));
  return {
    closeWhenIdle: async (close) => {
      const sweep = setInterval(() => {
        server.closeIdleConnections();
        for (const socket of unused) socket.destroy();
      }, IDLE_SWEEP_MS);
      try {
        await close();
      } finally {
        clearInterval(sweep);
      }
    },
  };
}
