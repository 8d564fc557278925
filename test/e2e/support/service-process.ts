import { freePort, waitFor } from '@switchboard/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

/** Repository root: services run from source with `node -r ./scripts/register.js <entry>` from here. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

const OUTPUT_TAIL_CHARS = 20_000;

/** Every child still alive, so a failing or interrupted test run never leaves service processes behind. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface ServiceProcess {
  name: string;
  pid: number;
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
  /** Resolves when the process has exited (with the signal that ended it, if any). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends the signal (SIGKILL = crash, SIGTERM = graceful stop) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. Safe to call more than once. */
  stop(graceMs?: number): Promise<void>;
  /** The last ~20 KB of stdout + stderr, for failure messages. */
  output(): string;
}

/**
 * Runs one service entry point (e.g. services/chat/src/main.ts) as its own Node process with the given
 * environment, and waits until its readiness route answers 200. PORT is chosen here unless given.
 */
export async function startServiceProcess(options: {
  name: string;
  entry: string;
  env: Record<string, string>;
  readyPath?: string;
  readyTimeoutMs?: number;
}): Promise<ServiceProcess> {
  installExitHook();
  const port = options.env.PORT ? Number(options.env.PORT) : await freePort();
  // Jest's NODE_OPTIONS (vm modules) are not for the service; the service's config comes only from `env`.
  const { NODE_OPTIONS: _nodeOptions, ...inherited } = process.env;
  const child = spawn(process.execPath, ['-r', './scripts/register.js', options.entry], {
    cwd: REPO_ROOT,
    env: { ...inherited, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ...options.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let tail = '';
  const append = (chunk: Buffer): void => {
    tail += chunk.toString('utf8');
    if (tail.length > OUTPUT_TAIL_CHARS * 2) tail = tail.slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      done({ code, signal });
    });
  });
  const output = (): string => tail.slice(-OUTPUT_TAIL_CHARS);
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  let stopping: Promise<void> | undefined;
  const service: ServiceProcess = {
    name: options.name,
    pid: child.pid as number,
    port,
    url: `http://127.0.0.1:${port}`,
    exited,
    kill,
    output,
    stop: (graceMs = 10_000) =>
      (stopping ??= (async () => {
        const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
        try {
          await kill('SIGTERM');
        } finally {
          clearTimeout(escalate);
        }
      })()),
  };

  try {
    let gone = false;
    const died = exited.then(({ code, signal }) => {
      gone = true;
      throw new Error(`${options.name} exited before it was ready (code ${code}, signal ${signal})`);
    });
    died.catch(() => undefined);
    const ready = waitFor(
      // Once the process is gone, stop polling: `died` reports why.
      async () => gone || (await fetch(`${service.url}${options.readyPath ?? '/ready'}`)).status === 200,
      { timeoutMs: options.readyTimeoutMs ?? 60_000, intervalMs: 100, description: `${options.name} to be ready on port ${port}` },
    );
    await Promise.race([died, ready]);
  } catch (error) {
    await service.stop(2_000);
    throw new Error(`${(error as Error).message}\n--- ${options.name} output ---\n${output()}`, { cause: error });
  }
  return service;
}

/** SIGKILLs every service process still running (afterAll safety net; also runs on process exit). */
export async function killAllServiceProcesses(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGKILL');
        }),
    ),
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}
