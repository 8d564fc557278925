import { Controller, ForbiddenException, Get, Inject, Req, Res } from '@nestjs/common';
import { readHubVerification } from '@switchboard/service-kit';
import type { Request, Response } from 'express';
import { verifyTokenHash } from '../connections/whatsapp-credentials.vault';
import type { WhatsAppWebhookDeps } from './whatsapp-webhook.endpoint';

export const WHATSAPP_WEBHOOK_DEPS = Symbol('WHATSAPP_WEBHOOK_DEPS');

/**
 * GET /webhooks/whatsapp: Meta's subscription verification handshake (the POSTs are whatsAppWebhookEndpoint's).
 */
@Controller('webhooks/whatsapp')
export class WhatsAppWebhookController {
  constructor(@Inject(WHATSAPP_WEBHOOK_DEPS) private readonly deps: Pick<WhatsAppWebhookDeps, 'connections' | 'logger'>) {}

  /** hub.mode=subscribe and a verify token of a connected number: echo hub.challenge; anything else 403. */
  @Get()
  async verify(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    const handshake = readHubVerification(req.originalUrl);
    if (!handshake) throw new ForbiddenException('Not a subscription verification request');
    if (!(await this.deps.connections.existsReceivingWithVerifyToken(verifyTokenHash(handshake.verifyToken)))) {
      this.deps.logger.warn('whatsapp webhook verification with an unknown verify token');
      throw new ForbiddenException('Verify token does not match a connected number');
    }
    // Meta expects the challenge back verbatim, not as JSON.
    res.type('text/plain');
    return handshake.challenge;
  }
}
