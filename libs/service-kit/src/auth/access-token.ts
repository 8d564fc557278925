import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';

export const ROLES = ['admin', 'operator'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Who is calling: carried in the access token, checked by the gateway and again by every subgraph. */
export interface Principal {
  employeeId: string;
  role: Role;
  name: string;
}

const ISSUER = 'switchboard-identity';
const AUDIENCE = 'switchboard';

export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export class ForbiddenError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ForbiddenError';
  }
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function signAccessToken(principal: Principal, options: { secret: string; ttlSeconds: number }): Promise<string> {
  return new SignJWT({ role: principal.role, name: principal.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(principal.employeeId)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds}s`)
    .sign(key(options.secret));
}

const claimsSchema = z.object({ sub: z.uuid(), role: roleSchema, name: z.string() });

export async function verifyAccessToken(token: string, secret: string): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const claims = claimsSchema.parse(payload);
    return { employeeId: claims.sub, role: claims.role, name: claims.name };
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AuthenticationError('Access token expired: log in again');
    throw new AuthenticationError('Access token is invalid');
  }
}

/** Reads "Authorization: Bearer <token>"; undefined when the header is absent. */
export function bearerToken(authorization: string | string[] | undefined): string | undefined {
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (!value) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  if (!match) throw new AuthenticationError('Authorization header must be "Bearer <token>"');
  return match[1];
}

export function requirePrincipal(principal: Principal | undefined): Principal {
  if (!principal) throw new AuthenticationError('Log in first: this operation needs an access token');
  return principal;
}

export function requireAdmin(principal: Principal | undefined): Principal {
  const p = requirePrincipal(principal);
  if (p.role !== 'admin') throw new ForbiddenError('Only admins may do this');
  return p;
}
