import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { consoleStatic } from '../src/http/console-static.middleware';

/** The console page's Content-Security-Policy: the page may reach the files service's origin and nothing else. */
describe('consoleStatic', () => {
  let dir: string;
  let server: Server | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'console-static-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function policyOf(router: express.Router): Promise<Record<string, string>> {
    const app = express();
    app.use(router);
    server = createServer(app);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/chats/42`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>console</title>');
    const header = response.headers.get('content-security-policy') ?? '';
    return Object.fromEntries(
      header
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...sources]) => [name!, sources.join(' ')]),
    );
  }

  it('lets the page talk to its own origin only by default', async () => {
    const policy = await policyOf(consoleStatic(dir));
    expect(policy['connect-src']).toBe("'self'");
    expect(policy['img-src']).toBe("'self' data: blob:");
    expect(policy['script-src']).toBe("'self'");
    expect(policy['frame-ancestors']).toBe("'none'");
  });

  it("adds the files service's origin to connect-src and img-src, reduced to the origin", async () => {
    const policy = await policyOf(consoleStatic(dir, { fileOrigins: ['https://files.example.com/base/', 'http://127.0.0.1:3012'] }));
    expect(policy['connect-src']).toBe("'self' https://files.example.com http://127.0.0.1:3012");
    expect(policy['img-src']).toBe("'self' data: blob: https://files.example.com http://127.0.0.1:3012");
    expect(policy['script-src']).toBe("'self'");
    expect(policy['default-src']).toBe("'self'");
  });

  it('refuses a file origin that is not an http(s) URL', () => {
    expect(() => consoleStatic(dir, { fileOrigins: ['files.example.com'] })).toThrow(/is not a URL/);
    expect(() => consoleStatic(dir, { fileOrigins: ["https://x.example.com 'unsafe-eval'"] })).toThrow(/is not a URL/);
    expect(() => consoleStatic(dir, { fileOrigins: ['javascript:alert(1)'] })).toThrow(/must be http\(s\)/);
  });
});
