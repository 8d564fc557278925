/*
 * registerInternalJsonRoute: how every internal JSON question between services is served (chat visibility,
 * employee access). Over real HTTP: a service token is required, a body that does not fit the schema gets
 * 400 with the schema's words, the answer is JSON, a failing handler answers 500 and is logged.
 */
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createLogger, registerInternalJsonRoute, signAccessToken, signServiceToken } from '../src';

const SECRET = 'internal-json-route-secret-'.padEnd(40, 'x');

describe('registerInternalJsonRoute', () => {
  let server: Server;
  let url: string;
  const failures: string[] = [];

  beforeAll(async () => {
    const app = express();
    const logger = createLogger('internal-json-route-test', 'silent');
    logger.error = ((_: unknown, message: string) => void failures.push(message)) as typeof logger.error;
    registerInternalJsonRoute(
      app,
      { path: '/internal/double', schema: z.object({ n: z.number().int('n must be a whole number') }), bodyLimit: '1kb', what: 'doubling', jwtSecret: SECRET, logger },
      async ({ n }) => {
        if (n === 13) throw new Error('unlucky');
        return { doubled: n * 2 };
      },
    );
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/internal/double`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = async (body: unknown, token?: string) => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('answers a service with a valid question', async () => {
    expect(await post({ n: 21 }, await signServiceToken({ service: 'test', secret: SECRET }))).toEqual({ status: 200, body: { doubled: 42 } });
  });

  it('refuses callers without a service token, employees\' tokens included', async () => {
    expect((await post({ n: 1 })).status).toBe(401);
    const employee = await signAccessToken({ employeeId: '4b1c1b4e-7c1f-4a53-9a59-0d6f0c4b2f11', role: 'admin', name: 'Ada' }, { secret: SECRET, ttlSeconds: 60 });
    expect(await post({ n: 1 }, employee)).toEqual({ status: 401, body: { error: 'A valid service token is required for internal endpoints' } });
  });

  it('answers 400 with the schema\'s words for a body that does not fit, and 500 (logged) when the handler fails', async () => {
    const token = await signServiceToken({ service: 'test', secret: SECRET });
    const bad = await post({ n: 1.5 }, token);
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toMatch(/n must be a whole number/);
    expect(await post({ n: 13 }, token)).toEqual({ status: 500, body: { error: 'doubling failed' } });
    expect(failures).toEqual(['doubling failed']);
  });
});
