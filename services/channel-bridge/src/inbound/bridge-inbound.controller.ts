import { Controller, Headers, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@switchboard/service-kit';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ChannelBridgeMetrics } from '../channel-bridge.metrics';
import type { BridgeInboundService } from './bridge-inbound.service';
import { BridgeRequestError } from './bridge-request.error';

export const BRIDGE_INBOUND_DEPS = Symbol('BRIDGE_INBOUND_DEPS');
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on the answer to a repeat (same Idempotency-Key and body): nothing new was stored. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';

export interface BridgeInboundDeps {
  inbound: BridgeInboundService;
  metrics: ChannelBridgeMetrics;
  logger: Logger;
}

/**
 * POST /bridge/v1/connections/:connectionId/messages: a partner hands over one customer message.
 * Every answer, success or error, is JSON; refused requests store nothing.
 */
@Controller('bridge/v1/connections')
export class BridgeInboundController {
  constructor(@Inject(BRIDGE_INBOUND_DEPS) private readonly deps: BridgeInboundDeps) {}

  @Post(':connectionId/messages')
  async receive(
    @Param('connectionId') connectionId: string,
    @Headers(TIMESTAMP_HEADER) timestampHeader: string | undefined,
    @Headers(SIGNATURE_HEADER) signatureHeader: string | undefined,
    @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const endTimer = this.deps.metrics.inboundDuration.startTimer();
    let status = 500;
    try {
      const answer = await this.deps.inbound.receive({
        connectionId,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        timestampHeader,
        signatureHeader,
        idempotencyKey,
      });
      status = answer.status;
      this.deps.metrics.inboundRequests.inc({ outcome: answer.replayed ? 'replayed' : 'accepted' });
      if (answer.replayed) res.setHeader(REPLAYED_HEADER, 'true');
      res.status(answer.status).json(answer.body);
    } catch (error) {
      const refused = this.toRequestError(error, connectionId);
      status = refused.status;
      this.deps.metrics.inboundRequests.inc({ outcome: refused.code });
      res.status(refused.status).json(refused.toBody());
    } finally {
      endTimer({ status: String(status) });
    }
  }

  /** Refusals are answered as they are; anything else is logged and becomes 503 so the partner retries. */
  private toRequestError(error: unknown, connectionId: string): BridgeRequestError {
    if (error instanceof BridgeRequestError) return error;
    this.deps.logger.error({ err: error, connectionId }, 'bridge request failed; answering 503');
    return new BridgeRequestError(503, 'unavailable', 'The message could not be stored; retry later with the same Idempotency-Key');
  }
}
