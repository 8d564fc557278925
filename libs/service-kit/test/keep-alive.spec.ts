/*
 * Every service keeps idle keep-alive connections longer than the ingress and load balancers in front of it
 * (65 s against their 60 s), so it is never the side that closes a connection a client is about to reuse.
 * Over real HTTP through startNestService, the path every service takes: the answer carries the hint a
 * client's agent retires sockets by, a connection idle past Node's old 5 s default still carries the next
 * request, and stopping the service waits neither for idle connections, nor for the keep-alive of one that
 * was answering a request when the stop began, nor for one a client opened without sending a request.
 */
import { Module } from '@nestjs/common';
import http from 'node:http';
import net from 'node:net';
import { HTTP_KEEP_ALIVE_TIMEOUT_MS, createLogger, startNestService, type RunningService } from '../src';

@Module({})
class EmptyModule {}

const logger = createLogger('keep-alive-test', 'silent');

interface Answer {
  keepAlive: string | undefined;
}

function get(agent: http.Agent, url: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent }, (response) => {
      response.resume();
      response.on('end', () => resolve({ keepAlive: response.headers['keep-alive'] as string | undefined }));
    });
    request.on('error', reject);
  });
}

describe('startNestService keep-alive', () => {
  let service: RunningService;
  let agent: http.Agent;

  beforeAll(async () => {
    service = await startNestService({
      name: 'keep-alive-test',
      module: EmptyModule,
      port: 0,
      host: '127.0.0.1',
      logger,
      configure: async (app) => {
        app.get('/ping', (_req, res) => void res.json({ ok: true }));
      },
    });
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  });
  afterAll(async () => {
    agent.destroy();
    await service.stop();
  });

  it('tells clients it keeps idle connections for 65 s', async () => {
    expect(HTTP_KEEP_ALIVE_TIMEOUT_MS).toBe(65_000);
    expect((await get(agent, `${service.url}/ping`)).keepAlive).toBe('timeout=65');
  });

  it('reuses a connection that was idle past Node\'s default (5 s, closed at 6 s)', async () => {
    let connections = 0;
    (service.app.getHttpServer() as http.Server).on('connection', () => connections++);
    const fresh = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      await get(fresh, `${service.url}/ping`);
      await new Promise((resolve) => setTimeout(resolve, 6_500));
      await get(fresh, `${service.url}/ping`);
      expect(connections).toBe(1);
    } finally {
      fresh.destroy();
    }
  }, 15_000);

  it('stops as soon as a request in flight is answered, not when its kept-alive connection would time out', async () => {
    const other = await startNestService({
      name: 'keep-alive-busy-test',
      module: EmptyModule,
      port: 0,
      host: '127.0.0.1',
      logger,
      configure: async (app) => {
        app.get('/slow', (_req, res) => void setTimeout(() => res.json({ ok: true }), 300));
      },
    });
    const holder = new http.Agent({ keepAlive: true });
    try {
      const answered = new Promise<number>((resolve, reject) => {
        http.get(`${other.url}/slow`, { agent: holder }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
        }).on('error', reject);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = Date.now();
      await other.stop();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await answered).toBe(200);
    } finally {
      holder.destroy();
    }
  });

  it('stops at once although a client opened a connection and has not sent a request on it', async () => {
    const other = await startNestService({ name: 'keep-alive-unused-test', module: EmptyModule, port: 0, host: '127.0.0.1', logger });
    const socket = net.connect(other.port, '127.0.0.1');
    try {
      await new Promise((resolve) => socket.once('connect', resolve));
      const started = Date.now();
      await other.stop();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      socket.destroy();
    }
  });

  it('stops at once although a client holds an idle connection', async () => {
    const other = await startNestService({ name: 'keep-alive-stop-test', module: EmptyModule, port: 0, host: '127.0.0.1', logger });
    const holder = new http.Agent({ keepAlive: true });
    try {
      await get(holder, `${other.url}/health`).catch(() => undefined);
      const started = Date.now();
      await other.stop();
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      holder.destroy();
    }
  });
});
