import { ChatCreatedV1, ChatDeletedV1, ChatMessageAddedV1, parseEvent, type Envelope } from '@switchboard/contracts';
import type { Logger } from '@switchboard/service-kit';
import type { ChatLinkService } from '../links/chat-link.service';
import type { CustomerMatcher } from '../matching/customer-matcher';

const is = (envelope: Envelope, contract: { type: string; version: number }) => envelope.type === contract.type && envelope.version === contract.version;

/**
 * Consumes chat.events.v1 (group crm.chat-events): new chats and customers' shared contacts are matched
 * to the directory, a deleted chat drops its link. One transaction per event, in the bus's per-chat order;
 * other chat events are not this service's business and pass without work. A payload that breaks its
 * contract throws ContractViolationError, which the reliable consumer parks on the DLQ.
 */
export class ChatEventsConsumer {
  constructor(
    private readonly matcher: CustomerMatcher,
    private readonly links: ChatLinkService,
    private readonly logger: Logger,
  ) {}

  async handle(envelopes: readonly Envelope[]): Promise<void> {
    for (const envelope of envelopes) {
      if (is(envelope, ChatCreatedV1)) await this.matcher.onChatCreated(parseEvent(ChatCreatedV1, envelope));
      else if (is(envelope, ChatMessageAddedV1)) await this.matcher.onMessageAdded(parseEvent(ChatMessageAddedV1, envelope));
      else if (is(envelope, ChatDeletedV1)) {
        const { data } = parseEvent(ChatDeletedV1, envelope);
        if (await this.links.dropForDeletedChat(data.chatId, new Date(data.at), envelope)) this.logger.info({ chatId: data.chatId }, "deleted chat's link dropped");
      }
    }
  }
}
