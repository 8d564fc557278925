import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

// librdkafka ships an in-process mock Kafka cluster; kcat exposes it with
// `-X test.mock.num.brokers=N`. It is a real Kafka wire-protocol server (no JVM, starts in ms), good
// enough for produce/consume/consumer-group tests of a Kafka client.

export interface KafkaMockClusterOptions {
  brokers?: number;
  /** How long to wait for the cluster to report its addresses (default 10 s). */
  readyTimeoutMs?: number;
  kcatPath?: string;
}

export interface KafkaMockCluster {
  /** "127.0.0.1:port" per broker, as the cluster advertises them. */
  brokers: string[];
  pid: number;
  stop(): Promise<void>;
}

const DEFAULT_KCAT = '/usr/bin/kcat';
const STDERR_TAIL_BYTES = 20 * 1024;

export function isKcatAvailable(kcatPath = DEFAULT_KCAT): boolean {
  const probe = spawnSync(kcatPath, ['-V'], { stdio: 'ignore', timeout: 5000 });
  return probe.error === undefined && probe.status === 0;
}

export async function startKafkaMockCluster(options: KafkaMockClusterOptions = {}): Promise<KafkaMockCluster> {
  const brokers = options.brokers ?? 3;
  const args = ['-b', 'localhost:1', '-X', `test.mock.num.brokers=${brokers}`, '-d', 'mock', '-C', '-t', 'warmup'];
  // detached = own process group, so stop() can signal kcat together with anything it spawned.
  const child = spawn(options.kcatPath ?? DEFAULT_KCAT, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stderr = new StderrTail();
  // Keep draining forever: with -d mock kcat logs every request, and a full pipe would stall it.
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));

  let addresses: string[];
  try {
    addresses = await waitForBootstrap(child, stderr, options.readyTimeoutMs ?? 10_000);
  } catch (error) {
    await terminate(child, exited);
    throw error;
  }
  return { brokers: addresses, pid: child.pid as number, stop: () => terminate(child, exited) };
}

function waitForBootstrap(child: ChildProcess, stderr: StderrTail, timeoutMs: number): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onData = (): void => {
      // Require the trailing newline: a chunk may end in the middle of the address list.
      const match = /bootstrap\.servers=(\S+)\s/.exec(stderr.text());
      if (!match) return;
      cleanup();
      resolve((match[1] as string).split(',').filter(Boolean));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      cleanup();
      reject(new Error(`kcat exited (code ${code}, signal ${signal}) before the mock cluster was ready. stderr:\n${stderr.text()}`));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(new Error(`could not start kcat: ${error.message}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`kcat mock cluster did not report bootstrap.servers within ${timeoutMs} ms. stderr:\n${stderr.text()}`));
    }, timeoutMs);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
    onData(); // the line may already have arrived
  });
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  signalGroup(child.pid, 'SIGTERM');
  const killTimer = setTimeout(() => signalGroup(child.pid as number, 'SIGKILL'), 3000);
  await exited;
  clearTimeout(killTimer);
  child.stderr?.destroy();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone: nothing to stop.
  }
}

/** Keeps only the last ~20 KB of output: enough for an error message, bounded for long runs. */
class StderrTail {
  private buffer = '';

  push(chunk: Buffer): void {
    this.buffer += chunk.toString('utf8');
    if (this.buffer.length > STDERR_TAIL_BYTES * 2) this.buffer = this.buffer.slice(-STDERR_TAIL_BYTES);
  }

  text(): string {
    return this.buffer.length > STDERR_TAIL_BYTES ? this.buffer.slice(-STDERR_TAIL_BYTES) : this.buffer;
  }
}
