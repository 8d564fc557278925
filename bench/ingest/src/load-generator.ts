import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { PhaseMessages, ProfileSpec } from './webhook-profiles';

export interface LoadPlan {
  /** Who calls the webhook and how (Telegram: one update per POST; WhatsApp: signed batches). */
  profile: ProfileSpec;
  /** The phase's messages: their count, ids (tagged into the texts) and customer rotation. */
  phase: PhaseMessages;
  /** `closed`: as fast as possible with `concurrency` requests in flight; `open`: `ratePerSecond` messages a second on a fixed schedule. */
  mode: 'closed' | 'open';
  concurrency: number;
  ratePerSecond: number;
  timeoutMs: number;
  /**
   * Closed mode only: at most this many messages sent but without their chat event yet (0 = no limit).
   * `observed[0]` is the count of this phase's chat events, kept up to date by the main thread.
   */
  maxBacklog: number;
  observed: Int32Array;
}

export interface LoadProgress {
  type: 'progress';
  /** Messages, not requests. */
  sent: number;
  answered: number;
  ok: number;
}

/** Per request: when it was due, when the webhook answered, HTTP status (0 = network error), messages carried. */
export interface RequestTimings {
  type: 'done';
  scheduledAt: Float64Array;
  answeredAt: Float64Array;
  status: Int16Array;
  messages: Uint16Array;
  /** Requests that got no answer (status 0): why, by request index. */
  noAnswer: Record<number, string>;
}

/** Per message (index = message id - firstMessageId): the timings of the request that carried it. */
export interface LoadResult {
  scheduledAt: Float64Array;
  answeredAt: Float64Array;
  status: Int16Array;
  /** Messages whose request got no answer: why (an error code such as ECONNRESET, or "timeout"), by message index. */
  noAnswer: Map<number, string>;
}

/** Runs the plan in a worker thread (its own event loop) and resolves with every message's timings. */
export function runLoad(plan: LoadPlan, onProgress: (progress: LoadProgress) => void): Promise<LoadResult> {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'load-worker.ts'), { workerData: plan });
    let done = false;
    worker.on('message', (message: LoadProgress | RequestTimings) => {
      if (message.type === 'progress') return onProgress(message);
      done = true;
      try {
        resolve(perMessage(message, plan.phase.count));
      } catch (error) {
        reject(error);
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => done || reject(new Error(`load worker exited with code ${code} before it finished`)));
  });
}

function perMessage(requests: RequestTimings, count: number): LoadResult {
  const result: LoadResult = { scheduledAt: new Float64Array(count), answeredAt: new Float64Array(count), status: new Int16Array(count), noAnswer: new Map() };
  let message = 0;
  for (let i = 0; i < requests.messages.length; i++) {
    for (let k = 0; k < requests.messages[i]!; k++, message++) {
      result.scheduledAt[message] = requests.scheduledAt[i]!;
      result.answeredAt[message] = requests.answeredAt[i]!;
      result.status[message] = requests.status[i]!;
      const why = requests.noAnswer[i];
      if (why !== undefined) result.noAnswer.set(message, why);
    }
  }
  if (message !== count) throw new Error(`the load worker's requests carried ${message} messages, not ${count}`);
  return result;
}
