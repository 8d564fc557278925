import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { AuthenticationError, bearerToken, verifyAccessToken, type Logger, type Principal } from '@switchboard/service-kit';
import type { EmployeeAccessCheck } from './employee-access-check';
import { unauthenticated } from './unauthenticated.error';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** Per-request context: who calls, and what the gateway forwards to every subgraph on their behalf. */
export interface GatewayContext {
  /** Undefined for anonymous callers; only public operations run without one. */
  principal?: Principal;
  /** The caller's Authorization header, forwarded as is: subgraphs verify the token themselves. */
  authorization?: string;
  correlationId: string;
  /** The caller's address (express's req.ip, which honours TRUST_PROXY): the key of per-IP login limits. */
  clientIp: string;
  logger: Logger;
}

/**
 * Builds the context from request headers. A token that is present but malformed, forged, expired or no
 * longer true to its employee is rejected outright rather than treated as anonymous, so a client learns at
 * once that it must log in again.
 */
export async function createGatewayContext(options: {
  headers: IncomingHttpHeaders;
  jwtSecret: string;
  logger: Logger;
  clientIp: string;
  /** Refuses a validly signed token whose employee identity has since deactivated or re-roled (decision 0059). */
  access?: EmployeeAccessCheck;
}): Promise<GatewayContext> {
  const correlationId = firstHeader(options.headers[CORRELATION_ID_HEADER]) ?? randomUUID();
  const logger = options.logger.child({ correlationId });
  const authorization = firstHeader(options.headers.authorization);
  try {
    const token = bearerToken(authorization);
    const clientIp = options.clientIp;
    if (!token) return { correlationId, clientIp, logger };
    const principal = await verifyAccessToken(token, options.jwtSecret);
    await options.access?.check(principal);
    return { principal, authorization, correlationId, clientIp, logger: logger.child({ employeeId: principal.employeeId }) };
  } catch (error) {
    if (error instanceof AuthenticationError) throw unauthenticated(error.message, error);
    throw error;
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() ? first : undefined;
}
