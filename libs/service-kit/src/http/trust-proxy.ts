import { z } from 'zod';

/** The most proxy hops a deployment plausibly has; a larger number is a typo, not a topology. */
const MAX_TRUSTED_PROXIES = 10;

/**
 * `TRUST_PROXY`, read alike by every service that keys a limit on the client's address (the gateway's
 * per-IP login limit, the connectors' webhook limits): how many proxies in front of the service append to
 * X-Forwarded-For. 1 behind ingress-nginx, whose pod is otherwise the "client" of every request, so one
 * budget would be shared by every caller. 0 (default) uses the socket address and ignores the header: trusting
 * a header no proxy of ours sets lets any caller pick its own address, and with it a fresh budget.
 */
export const trustProxyConfigSchema = z.object({
  TRUST_PROXY: z.coerce
    .number()
    .int('TRUST_PROXY must be a whole number of proxies')
    .min(0, 'TRUST_PROXY must be 0 or more')
    .max(MAX_TRUSTED_PROXIES, `TRUST_PROXY must be at most ${MAX_TRUSTED_PROXIES}`)
    .default(0),
});
export type TrustProxyConfig = z.output<typeof trustProxyConfigSchema>;

/**
 * Sets express's `trust proxy` to a hop count, so `req.ip` (and `clientIp`) is the address the
 * `hops`-th proxy from us saw: with 1, the last X-Forwarded-For entry, which ingress-nginx appended and a
 * caller cannot forge; entries further left are the caller's own words and stay ignored. Call it on the
 * express app before any route reads `req.ip`.
 */
export function applyTrustProxy(app: { set(setting: string, value: unknown): unknown }, hops: number): void {
  if (!Number.isInteger(hops) || hops < 0 || hops > MAX_TRUSTED_PROXIES) {
    throw new Error(`trust proxy must be a whole number of proxies from 0 to ${MAX_TRUSTED_PROXIES}, got ${hops}`);
  }
  app.set('trust proxy', hops);
}

/**
 * The client address `hops` proxies out, as express's `trust proxy` with a hop count computes `req.ip`, for
 * requests answered without express (webhook endpoints): the socket's address, then X-Forwarded-For from its
 * right end, one entry per trusted proxy; never further left than the header goes.
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, hops: number): string {
  const socket = socketAddress ?? 'unknown';
  if (hops === 0 || forwardedFor === undefined) return socket;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const chain = header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .reverse();
  return [socket, ...chain][Math.min(hops, chain.length)]!;
}
