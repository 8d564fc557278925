import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookHeader, type WebhookEndpoint, type WebhookRateLimit } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import type { ChannelBridgeMetrics } from '../channel-bridge.metrics';
import type { BridgeInboundService } from './bridge-inbound.service';
import { BridgeRequestError } from './bridge-request.error';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on the answer to a repeat (same Idempotency-Key and body): nothing new was stored. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** One customer message with attachment metadata (not bytes) is small; anything larger is refused (413). */
const INBOUND_BODY_LIMIT_BYTES = 256 * 1024;

export interface BridgeInboundDeps {
  inbound: BridgeInboundService;
  metrics: ChannelBridgeMetrics;
  logger: Logger;
}

/**
 * POST /bridge/v1/connections/:connectionId/messages: a partner hands over one customer message.
 * Every answer, success or error, is JSON in the shape docs/bridge.md promises, the edge's own refusals
 * (429, 413) included; refused requests store nothing. Counted before the body is read or the signature
 * checked, per connection and client address: a flood is refused without buffering it or spending an HMAC
 * and a database lookup on it.
 */
export function bridgeInboundEndpoint(deps: BridgeInboundDeps, rateLimit?: WebhookRateLimit): WebhookEndpoint {
  return {
    channel: 'bridge',
    path: '/bridge/v1/connections/:connectionId/messages',
    bodyLimitBytes: INBOUND_BODY_LIMIT_BYTES,
    duration: deps.metrics.inboundDuration,
    ...(rateLimit ? { rateLimit: { ...rateLimit, scope: (params) => params['connectionId'] ?? '' } } : {}),
    refusalBody: (refusal) =>
      (refusal.status === 429
        ? new BridgeRequestError(429, 'rate_limited', `Too many requests for this connection; retry after ${refusal.retryAfterSeconds} s with the same Idempotency-Key`)
        : new BridgeRequestError(413, 'too_large', `The body is larger than ${refusal.limitBytes / 1024} KB; send files by URL, not inline`)
      ).toBody(),
    handle: async (request) => {
      const connectionId = request.params['connectionId'] ?? '';
      try {
        const accepted = await deps.inbound.receive({
          connectionId,
          rawBody: request.body,
          timestampHeader: webhookHeader(request, TIMESTAMP_HEADER),
          signatureHeader: webhookHeader(request, SIGNATURE_HEADER),
          idempotencyKey: webhookHeader(request, IDEMPOTENCY_KEY_HEADER),
        });
        deps.metrics.inboundRequests.inc({ outcome: accepted.replayed ? 'replayed' : 'accepted' });
        return { status: accepted.status, body: accepted.body, ...(accepted.replayed ? { headers: { [REPLAYED_HEADER]: 'true' } } : {}) };
      } catch (error) {
        const refused = toRequestError(error, connectionId, deps.logger);
        deps.metrics.inboundRequests.inc({ outcome: refused.code });
        return { status: refused.status, body: refused.toBody() };
      }
    },
  };
}

/** Refusals are answered as they are; anything else is logged and becomes 503 so the partner retries. */
function toRequestError(error: unknown, connectionId: string, logger: Logger): BridgeRequestError {
  if (error instanceof BridgeRequestError) return error;
  logger.error({ err: error, connectionId }, 'bridge request failed; answering 503');
  return new BridgeRequestError(503, 'unavailable', 'The message could not be stored; retry later with the same Idempotency-Key');
}
