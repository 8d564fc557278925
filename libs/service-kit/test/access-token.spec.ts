import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  AuthenticationError,
  ForbiddenError,
  bearerToken,
  requireAdmin,
  requirePrincipal,
  signAccessToken,
  verifyAccessToken,
  type Principal,
} from '../src/auth/access-token';

const secret = 'a-test-secret-that-is-at-least-32-chars';
const principal: Principal = { employeeId: randomUUID(), role: 'operator', name: 'Olena' };

async function expectRejected(token: string, message: string, withSecret = secret): Promise<void> {
  const result = verifyAccessToken(token, withSecret);
  await expect(result).rejects.toBeInstanceOf(AuthenticationError);
  await expect(result).rejects.toThrow(message);
}

describe('access tokens', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies what it signed and returns the principal', async () => {
    const token = await signAccessToken(principal, { secret, ttlSeconds: 3600 });
    await expect(verifyAccessToken(token, secret)).resolves.toEqual(principal);
  });

  it('rejects an expired token with a message that says so', async () => {
    // Only Date is faked: jose reads the clock, its crypto must still run.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
    jest.setSystemTime(new Date('2026-11-30T10:00:00Z'));
    const token = await signAccessToken(principal, { secret, ttlSeconds: 60 });
    jest.setSystemTime(new Date('2026-11-30T10:00:59Z'));
    await expect(verifyAccessToken(token, secret)).resolves.toEqual(principal);
    jest.setSystemTime(new Date('2026-11-30T10:01:01Z'));
    await expectRejected(token, 'Access token expired: log in again');
  });

  it('rejects a token signed with another secret, or altered', async () => {
    const token = await signAccessToken(principal, { secret, ttlSeconds: 3600 });
    await expectRejected(token, 'Access token is invalid', 'another-secret-that-is-32-chars-long!');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    await expectRejected(`${header}.${promoted}.${signature}`, 'Access token is invalid');
    await expectRejected('not.a.jwt', 'Access token is invalid');
  });

  it('rejects tokens from another issuer or audience, unsigned ones, and ones without a valid principal', async () => {
    const key = new TextEncoder().encode(secret);
    const sign = (issuer: string, audience: string, claims: Record<string, unknown> = { role: 'admin', name: 'Mallory' }, sub: string = randomUUID()) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuer(issuer).setAudience(audience).setExpirationTime('1h').sign(key);
    await expect(verifyAccessToken(await sign('switchboard-identity', 'switchboard'), secret)).resolves.toMatchObject({ role: 'admin' });
    await expectRejected(await sign('someone-else', 'switchboard'), 'Access token is invalid');
    await expectRejected(await sign('switchboard-identity', 'another-app'), 'Access token is invalid');
    await expectRejected(await sign('switchboard-identity', 'switchboard', { role: 'root', name: 'x' }), 'Access token is invalid');
    await expectRejected(await sign('switchboard-identity', 'switchboard', { role: 'admin', name: 'x' }, 'employee-1'), 'Access token is invalid');
    const unsigned = [
      Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url'),
      Buffer.from(JSON.stringify({ sub: randomUUID(), role: 'admin', name: 'x', iss: 'switchboard-identity', aud: 'switchboard' })).toString('base64url'),
      '',
    ].join('.');
    await expectRejected(unsigned, 'Access token is invalid');
  });

  it('reads "Authorization: Bearer <token>" and refuses other schemes', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(bearerToken(' bearer   abc ')).toBe('abc');
    expect(bearerToken(['Bearer first', 'Bearer second'])).toBe('first');
    expect(() => bearerToken('Basic dXNlcjpwYXNz')).toThrow(AuthenticationError);
  });

  it('requires a principal, and an admin where asked', () => {
    expect(() => requirePrincipal(undefined)).toThrow(AuthenticationError);
    expect(requirePrincipal(principal)).toBe(principal);
    expect(() => requireAdmin(principal)).toThrow(ForbiddenError);
    expect(() => requireAdmin(undefined)).toThrow(AuthenticationError);
    const admin = { ...principal, role: 'admin' as const };
    expect(requireAdmin(admin)).toBe(admin);
  });
});
