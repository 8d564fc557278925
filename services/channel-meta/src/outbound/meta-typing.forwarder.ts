import type { OperatorTyping } from '@switchboard/contracts';
import type { EventBus } from '@switchboard/messaging';
import { OperatorTypingForwarder } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { PRESENCE_CONSUMER_GROUP } from '../channel-meta.config';
import type { MetaConnectionRepository } from '../connections/meta-connection.repository';
import type { MetaCredentialsVault } from '../connections/meta-credentials.vault';
import type { MetaApiFactory } from '../graph-api/meta-graph-api.client';

/**
 * Operators' typing shown in Messenger and Instagram direct chats as the Send API's `sender_action: typing_on`
 * (comments have no typing indicator).
 */
export class MetaTypingForwarder extends OperatorTypingForwarder {
  constructor(private readonly deps: { bus: EventBus; connections: MetaConnectionRepository; vault: MetaCredentialsVault; api: MetaApiFactory; logger: Logger }) {
    super({ bus: deps.bus, group: PRESENCE_CONSUMER_GROUP, channels: ['messenger', 'instagram'], logger: deps.logger, component: 'meta-typing' });
  }

  protected async deliver(typing: OperatorTyping): Promise<string | undefined> {
    const connection = await this.deps.connections.findById(typing.connection.id);
    const sender = typing.connection.channel === 'instagram' ? connection?.instagramAccountId : connection?.pageId;
    if (!connection || connection.state === 'disconnected' || !sender) return 'the Page or account is not connected';
    await this.deps.api(this.deps.vault.open(connection)).senderAction(sender, typing.externalChatId, 'typing_on');
    return undefined;
  }
}
