import { Controller, ForbiddenException, Get, Inject, Req, Res } from '@nestjs/common';
import { readHubVerification } from '@switchboard/service-kit';
import type { Request, Response } from 'express';
import { verifyTokenHash } from '../connections/meta-credentials.vault';
import type { MetaWebhookDeps } from './meta-webhook.endpoint';

export const META_WEBHOOK_DEPS = Symbol('META_WEBHOOK_DEPS');

/**
 * GET /webhooks/meta: Meta's subscription verification handshake (the POSTs are metaWebhookEndpoint's).
 */
@Controller('webhooks/meta')
export class MetaWebhookController {
  constructor(@Inject(META_WEBHOOK_DEPS) private readonly deps: Pick<MetaWebhookDeps, 'connections' | 'logger'>) {}

  /** hub.mode=subscribe and a verify token of a connected Page: echo hub.challenge; anything else 403. */
  @Get()
  async verify(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const handshake = readHubVerification(req.originalUrl);
    if (!handshake) throw new ForbiddenException('Not a subscription verification request');
    if (!(await this.deps.connections.existsReceivingWithVerifyToken(verifyTokenHash(handshake.verifyToken)))) {
      this.deps.logger.warn('meta webhook verification with an unknown verify token');
      throw new ForbiddenException('Verify token does not match a connected Page');
    }
    // Meta expects the challenge back verbatim, not as JSON.
    res.type('text/plain');
    return handshake.challenge;
  }
}
