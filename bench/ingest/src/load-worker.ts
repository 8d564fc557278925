/*
 * The load generator's thread: POSTs webhooks like the platform does (a profile says what request i looks
 * like and how many messages it carries), on its own event loop so the product's work in the main thread
 * cannot delay the schedule (and the schedule cannot hide the product's delays). Open-loop mode sends each
 * request at its scheduled time whether or not earlier ones were answered, and latency is measured from that
 * scheduled time: no coordinated omission.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { clock } from './percentiles';
import { webhookProfile } from './webhook-profiles';
import type { LoadPlan, LoadProgress, RequestTimings } from './load-generator';

const plan = workerData as LoadPlan;
const profile = webhookProfile(plan.profile, plan.phase);
const agent = new http.Agent({ keepAlive: true, maxSockets: plan.concurrency });
const scheduledAt = new Float64Array(profile.requests);
const answeredAt = new Float64Array(profile.requests);
const status = new Int16Array(profile.requests);
const messages = new Uint16Array(profile.requests);
/** Why a request got no answer (status 0), by request index: the error's code (ECONNRESET, ...) or message. */
const noAnswer: Record<number, string> = {};
// Messages, not requests: the rate, the backlog and the progress all count messages.
let sent = 0;
let answered = 0;
let ok = 0;
let failed = 0;
const phaseStart = clock();

function post(index: number): Promise<void> {
  const request = profile.request(index);
  messages[index] = request.messages;
  sent += request.messages;
  const sentAt = clock();
  return new Promise<void>((resolve) => {
    let finished = false;
    const finish = (code: number, error?: Error) => {
      if (finished) return; // a socket error can follow the answer
      finished = true;
      if (error) {
        // A reset on a reused keep-alive socket is the client/server idle-timeout race; on a fresh one it is not.
        const why = `${(error as NodeJS.ErrnoException).code ?? error.message} on a ${outgoing.reusedSocket ? 'reused' : 'new'} socket`;
        noAnswer[index] = why;
        process.stderr.write(
          `load: request ${index} got no answer (${why}), ${(clock() - sentAt).toFixed(0)} ms after it was sent, ${((sentAt - phaseStart) / 1000).toFixed(2)} s into the phase\n`,
        );
      }
      answeredAt[index] = clock();
      status[index] = code;
      answered += request.messages;
      if (code === 200) ok += request.messages;
      else failed += request.messages;
      resolve();
    };
    const outgoing = http.request(
      profile.url,
      { method: 'POST', agent, headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) } },
      (response) => {
        response.resume();
        response.on('end', () => finish(response.statusCode ?? 0));
        response.on('error', (error) => finish(0, error));
      },
    );
    outgoing.setTimeout(plan.timeoutMs, () => outgoing.destroy(new Error('timeout')));
    outgoing.on('error', (error) => finish(0, error));
    outgoing.end(request.body);
  });
}

/** Too many messages are still waiting for their chat event: a backlog past the broker's retention would be lost. */
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
    while (next < profile.requests) {
      while (backlogFull()) await whenBacklogAllows();
      if (next >= profile.requests) break;
      const index = next++;
      scheduledAt[index] = clock();
      await post(index);
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, lane));
}

/** Request i is due when its first message is, at start + i × batch / rate; everything due is sent at once, late or not. */
async function openLoop(): Promise<void> {
  const interval = (1000 * profile.batch) / plan.ratePerSecond;
  const start = clock() + 5;
  const inFlight: Promise<void>[] = [];
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = clock();
      while (next < profile.requests && start + next * interval <= now) {
        scheduledAt[next] = start + next * interval;
        inFlight.push(post(next++));
      }
      if (next >= profile.requests) return resolve();
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
  const result: RequestTimings = { type: 'done', scheduledAt, answeredAt, status, messages, noAnswer };
  parentPort!.postMessage(result, [scheduledAt.buffer, answeredAt.buffer, status.buffer, messages.buffer]);
});
