import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

export interface LoadPlan {
  /** Tags every message text, with the update_id (see telegram-updates.ts). */
  run: string;
  webhookUrl: string;
  secretToken: string;
  /** `closed`: as fast as possible with `concurrency` in flight; `open`: `ratePerSecond` on a fixed schedule. */
  mode: 'closed' | 'open';
  count: number;
  concurrency: number;
  ratePerSecond: number;
  customers: number;
  firstUpdateId: number;
  /** Position in the customer/text rotation, so phases continue where the previous one stopped. */
  firstSequence: number;
  timeoutMs: number;
  /**
   * Closed mode only: at most this many updates sent but without their chat event yet (0 = no limit).
   * `observed[0]` is the count of this phase's chat events, kept up to date by the main thread.
   */
  maxBacklog: number;
  observed: Int32Array;
}

export interface LoadProgress {
  type: 'progress';
  sent: number;
  answered: number;
  ok: number;
}

/** Per update (index = update_id - firstUpdateId): when it was due, when the webhook answered, HTTP status (0 = network error). */
export interface LoadResult {
  type: 'done';
  scheduledAt: Float64Array;
  answeredAt: Float64Array;
  status: Int16Array;
}

/** Runs the plan in a worker thread (its own event loop) and resolves with every request's timings. */
export function runLoad(plan: LoadPlan, onProgress: (progress: LoadProgress) => void): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.ts'), { workerData: plan });
    let done = false;
    worker.on('message', (message: LoadProgress | LoadResult) => {
      if (message.type === 'progress') return onProgress(message);
      done = true;
      resolve(message);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => done || reject(new Error(`load worker exited with code ${code} before it finished`)));
  });
}
