import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { AuthenticationError } from './access-token';

const ISSUER = 'switchboard-internal';
/** A different audience from employees' tokens: neither kind of token is accepted where the other belongs. */
const AUDIENCE = 'switchboard-internal';

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** A short-lived token one service presents to another's internal endpoints (never to clients). */
export function signServiceToken(options: { service: string; secret: string; ttlSeconds?: number }): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`service:${options.service}`)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 300}s`)
    .sign(key(options.secret));
}

/** Returns the calling service's name; throws AuthenticationError for anything but a valid service token. */
export async function verifyServiceToken(token: string, secret: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
    const sub = z.string().startsWith('service:').parse(payload.sub);
    return sub.slice('service:'.length);
  } catch {
    throw new AuthenticationError('A valid service token is required for internal endpoints');
  }
}

const SOURCE_TOKEN_TTL_SECONDS = 300;

/** A service's token for its calls to other services' internal endpoints, renewed at half its lifetime. */
export class ServiceTokenSource {
  private token: { value: string; renewAt: number } | undefined;

  constructor(private readonly options: { jwtSecret: string; service: string }) {}

  async current(): Promise<string> {
    if (!this.token || Date.now() >= this.token.renewAt) {
      const value = await signServiceToken({ service: this.options.service, secret: this.options.jwtSecret, ttlSeconds: SOURCE_TOKEN_TTL_SECONDS });
      this.token = { value, renewAt: Date.now() + (SOURCE_TOKEN_TTL_SECONDS / 2) * 1000 };
    }
    return this.token.value;
  }
}
