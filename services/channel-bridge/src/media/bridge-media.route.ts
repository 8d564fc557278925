import { sleep } from '@switchboard/messaging';
import { registerChannelMediaRoute, type ChannelMediaAnswer, type InboundMediaLinks, type Logger } from '@switchboard/service-kit';
import type { Express } from 'express';
import { BRIDGE_MEDIA_MAX_BYTES, BRIDGE_MEDIA_URL_MAX_LENGTH } from './bridge-media.limits';

export interface PartnerMediaFetchPolicy {
  /** Downloads tried before the file is given up (recorded FAILED by the files service). */
  attempts: number;
  /** Pause after the first failed attempt; it doubles after each further one. */
  retryDelayMs: number;
  /** How long the partner may take to start answering one attempt (the body may stream for longer). */
  headersTimeoutMs: number;
}

/**
 * Three tries within about 50 s: the whole of it stays inside the files service's default media fetch timeout
 * (FILES_MEDIA_FETCH_TIMEOUT_MS, 60 s), so the answer reaches it before it gives up on this request.
 */
export const DEFAULT_PARTNER_MEDIA_FETCH: PartnerMediaFetchPolicy = { attempts: 3, retryDelayMs: 1_000, headersTimeoutMs: 15_000 };

/** Partner answers worth another try: it may answer differently a moment later. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);

/**
 * The service-kit channel-media contract for the bridge: the platform file id is the URL the partner put on
 * the attachment. Only a URL a signed message of that connection carried is fetched (anything else is 404
 * without a request), so the service token cannot turn the bridge into a proxy. A partner URL that still
 * fails after the retries answers 404 MEDIA_GONE: the files service records the file FAILED with the reason
 * and the message stays as it is, rather than the event waiting on the files service's dead-letter topic.
 */
export function registerBridgeMediaRoute(
  app: Express,
  deps: { links: InboundMediaLinks; jwtSecret: string; logger: Logger; fetchPolicy?: PartnerMediaFetchPolicy },
): void {
  registerChannelMediaRoute(app, {
    platform: 'Bridge',
    jwtSecret: deps.jwtSecret,
    maxBytes: BRIDGE_MEDIA_MAX_BYTES,
    maxFileIdLength: BRIDGE_MEDIA_URL_MAX_LENGTH,
    logger: deps.logger,
    resolve: async ({ connectionId, platformFileId }): Promise<ChannelMediaAnswer> => {
      if (!(await deps.links.wasReceived(connectionId, platformFileId))) {
        return { found: false, failure: 'gone', message: 'No message of this bridge connection carried that attachment URL' };
      }
      const answer = await fetchPartnerMedia(platformFileId, deps.fetchPolicy ?? DEFAULT_PARTNER_MEDIA_FETCH);
      if (!answer.found) deps.logger.warn({ connectionId, reason: answer.message }, 'a partner attachment could not be downloaded');
      return answer;
    },
  });
}

type Attempt = { kind: 'answer'; answer: ChannelMediaAnswer } | { kind: 'transient'; problem: string };

/** GET of a partner's attachment URL, retried on network errors, timeouts, 5xx, 408, 425 and 429. */
export async function fetchPartnerMedia(url: string, policy: PartnerMediaFetchPolicy): Promise<ChannelMediaAnswer> {
  let problem = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    const outcome = await fetchOnce(url, policy.headersTimeoutMs);
    if (outcome.kind === 'answer') return outcome.answer;
    problem = outcome.problem;
    if (attempt < policy.attempts) await sleep(policy.retryDelayMs * 2 ** (attempt - 1));
  }
  return { found: false, failure: 'gone', message: `The partner's attachment URL failed ${policy.attempts} times; last: ${problem}` };
}

async function fetchOnce(url: string, headersTimeoutMs: number): Promise<Attempt> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${headersTimeoutMs} ms`)), headersTimeoutMs);
  let response: Response;
  try {
    response = await fetch(url, { signal: controller.signal, headers: { 'user-agent': 'Switchboard-Bridge/1' } });
  } catch (error) {
    return { kind: 'transient', problem: describeNetworkError(error) };
  } finally {
    // Only the wait for the answer is bounded here: a large body streams on, bounded by the files service's timeout.
    clearTimeout(timer);
  }
  if (response.ok && response.body) {
    const declared = Number(response.headers.get('content-length') ?? NaN);
    return {
      kind: 'answer',
      answer: {
        found: true,
        body: response.body,
        contentType: response.headers.get('content-type') ?? undefined,
        sizeBytes: Number.isFinite(declared) ? declared : undefined,
      },
    };
  }
  await response.body?.cancel();
  const problem = `the partner answered HTTP ${response.status}`;
  if (response.status >= 500 || TRANSIENT_STATUSES.has(response.status)) return { kind: 'transient', problem };
  return { kind: 'answer', answer: { found: false, failure: 'gone', message: `${problem} for the attachment URL` } };
}

/** fetch hides the real reason (ENOTFOUND, ECONNREFUSED, a timeout) in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  const detail = typeof cause === 'object' && cause !== null ? (cause as { message?: unknown }).message : undefined;
  return typeof detail === 'string' && detail !== '' ? `${error.message} (${detail})` : error.message;
}
