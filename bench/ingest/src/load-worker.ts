/*
 * The load generator's thread: POSTs webhook updates like Telegram does, on its own event loop so the
 * product's work in the main thread cannot delay the schedule (and the schedule cannot hide the product's
 * delays). Open-loop mode sends each update at its scheduled time whether or not earlier ones were answered,
 * and latency is measured from that scheduled time: no coordinated omission.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { clock } from './percentiles';
import { benchUpdate } from './telegram-updates';
import type { LoadPlan, LoadProgress, LoadResult } from './load-generator';

const plan = workerData as LoadPlan;
const target = new URL(plan.webhookUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
const scheduledAt = new Float64Array(plan.count);
const answeredAt = new Float64Array(plan.count);
const status = new Int16Array(plan.count);
let sent = 0;
let answered = 0;
let ok = 0;
let failed = 0;

function post(index: number): Promise<void> {
  const body = JSON.stringify(benchUpdate(plan.run, plan.firstUpdateId + index, plan.firstSequence + index, plan.customers));
  sent++;
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return; // a socket error can follow the answer
      finished = true;
      answeredAt[index] = clock();
      status[index] = code;
      answered++;
      if (code === 200) ok++;
      else failed++;
      resolve();
    };
    const request = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-telegram-bot-api-secret-token': plan.secretToken,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => finish(response.statusCode ?? 0));
        response.on('error', () => finish(0));
      },
    );
    request.setTimeout(plan.timeoutMs, () => request.destroy(new Error('timeout')));
    request.on('error', () => finish(0));
    request.end(body);
  });
}

/** Too many updates are still waiting for their chat event: a backlog past the broker's retention would be lost. */
const backlogFull = () => plan.maxBacklog > 0 && sent - failed - Atomics.load(plan.observed, 0) >= plan.maxBacklog;
let backlogDrained: Promise<void> | undefined;
function whenBacklogAllows(): Promise<void> {
  backlogDrained ??= new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (backlogFull()) return;
      clearInterval(poll);
      backlogDrained = undefined;
      resolve();
    }, 2);
  });
  return backlogDrained;
}

/** As fast as possible with `concurrency` requests in flight and a bounded backlog; "scheduled" is when each was sent. */
async function closedLoop(): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < plan.count) {
      while (backlogFull()) await whenBacklogAllows();
      if (next >= plan.count) break;
      const index = next++;
      scheduledAt[index] = clock();
      await post(index);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, lane));
}

/** Update i is due at start + i / rate; everything due is sent at once, late or not. */
async function openLoop(): Promise<void> {
  const interval = 1000 / plan.ratePerSecond;
  const start = clock() + 5;
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = clock();
      while (next < plan.count && start + next * interval <= now) {
        scheduledAt[next] = start + next * interval;
        inFlight.push(post(next++));
      }
      if (next >= plan.count) return resolve();
      setTimeout(tick, Math.max(0, start + next * interval - clock()));
    };
    tick();
  });
  await Promise.all(inFlight);
}

const progress = setInterval(() => parentPort!.postMessage({ type: 'progress', sent, answered, ok } satisfies LoadProgress), 1000);
void (plan.mode === 'open' ? openLoop() : closedLoop()).then(() => {
  clearInterval(progress);
  agent.destroy();
  const result: LoadResult = { type: 'done', scheduledAt, answeredAt, status };
  parentPort!.postMessage(result, [scheduledAt.buffer, answeredAt.buffer, status.buffer]);
});
