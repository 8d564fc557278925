import type { OperatorTyping } from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import { OperatorTypingForwarder } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { PRESENCE_CONSUMER_GROUP } from './channel-telegram.config';
import type { TelegramApiFactory } from './telegram-bot-api.client';
import type { TelegramConnectionRepository } from './telegram-connection.repository';
import type { TelegramTokenVault } from './telegram-token.vault';

/** Operators' typing shown in Telegram as the bot's "typing..." (sendChatAction, about 5 s; the next report renews it). */
export class TelegramTypingForwarder extends OperatorTypingForwarder {
  constructor(private readonly deps: { bus: EventBus; connections: TelegramConnectionRepository; tokens: TelegramTokenVault; api: TelegramApiFactory; logger: Logger }) {
    super({ bus: deps.bus, group: PRESENCE_CONSUMER_GROUP, channels: ['telegram'], logger: deps.logger, component: 'telegram-typing' });
  }

  protected async deliver(typing: OperatorTyping): Promise<string | undefined> {
    const connection = await this.deps.connections.findById(typing.connection.id);
    if (!connection || connection.state === 'disconnected') return 'the bot is not connected';
    await this.deps.api(this.deps.tokens.open(connection)).sendChatAction({ chatId: typing.externalChatId, action: 'typing' });
    return undefined;
  }
}
