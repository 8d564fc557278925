import { ChatDeletedV1, parseEvent, type Envelope } from '@switchboard/contracts';
import type { Logger } from '@switchboard/service-kit';
import type { ReminderService } from '../reminders/reminder.service';

/**
 * Consumes chat.events.v1 (group tasks.chat-events): a deleted chat's scheduled reminders are cancelled
 * (issue 7). Other chat events are not this service's business and pass without work. A payload that
 * breaks its contract throws ContractViolationError, which the reliable consumer parks on the DLQ.
 */
export class ChatDeletedConsumer {
  constructor(
    private readonly reminders: ReminderService,
    private readonly logger: Logger,
  ) {}

  async handle(envelopes: readonly Envelope[]): Promise<void> {
    const deleted = envelopes
      .filter((e) => e.type === ChatDeletedV1.type && e.version === ChatDeletedV1.version)
      .map((e) => parseEvent(ChatDeletedV1, e).data)
      .map((data) => ({ chatId: data.chatId, deletedAt: new Date(data.at) }));
    if (deleted.length === 0) return;
    const cancelled = await this.reminders.cancelForDeletedChats(deleted);
    if (cancelled > 0) this.logger.info({ chatIds: deleted.map((d) => d.chatId), cancelled }, "deleted chats' reminders cancelled");
  }
}
