import { freePort } from '@switchboard/testing';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The services the Kafka runtime can run in processes of their own (the image's SERVICE roles). */
export const PROCESS_SERVICES = ['chat', 'channel-telegram', 'channel-whatsapp'] as const;

export type ProcessService = (typeof PROCESS_SERVICES)[number];

/** As the image's ENTRYPOINT starts a role (Dockerfile). */
const IMAGE_ENTRY_POINT = 'deploy/image/start.js';

/**
 * The Node flags a service runs with in production: those of the image's ENTRYPOINT (Dockerfile: an initial old
 * generation, decision 0061), so the benchmark measures the garbage collection the deployment gets, not
 * Node's defaults.
 */
export function imageNodeFlags(): string[] {
  const dockerfile = join(REPO_ROOT, 'Dockerfile');
  const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(readFileSync(dockerfile, 'utf8'));
  const command = entrypoint ? (JSON.parse(entrypoint[1]!) as string[]) : [];
  const node = command.indexOf('node');
  const script = command.indexOf(IMAGE_ENTRY_POINT);
  if (node === -1 || script < node) throw new Error(`${dockerfile}: no ENTRYPOINT that runs node ${IMAGE_ENTRY_POINT}`);
  return command.slice(node + 1, script);
}

/**
 * One service as its own process, started the way the image starts it (same entry point and Node flags), as
 * the Kafka runtime is deployed: it gets the cores the OS gives it
 * instead of sharing an event loop with the other services, the gateway and the load generator.
 * `env` is the service's configuration (its README rows) but PORT.
 */
export async function startServiceProcess(options: {
  service: ProcessService;
  env: Record<string, string>;
  /** A port chosen beforehand (a connector's public webhook URL names it); a free one otherwise. */
  port?: number;
  cpuProfileDir?: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const port = options.port ?? (await freePort());
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const child = spawn(process.execPath, [...imageNodeFlags(), ...profile, IMAGE_ENTRY_POINT], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, SERVICE: options.service, PORT: String(port), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${options.service} process exited with ${child.exitCode} before it was ready`);
    const ready = await fetch(`${url}/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the ${options.service} process was not ready within 60 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
