import { Module } from '@nestjs/common';

/**
 * The connector has no HTTP routes of its own (Telegram is reached over MTProto, not by webhooks): the Nest
 * app carries only GraphQL, /health, /ready and /metrics, mounted by startChannelTelegramUserService.
 */
@Module({})
export class ChannelTelegramUserModule {}
