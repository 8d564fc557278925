import { OperatorTypingV1, TOPICS, channelKindSchema, createEnvelope } from '@switchboard/contracts';
import type { EventToPublish } from '@switchboard/messaging';
import type { Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { canSee, chatNotFound, loadViewer } from '../access/viewer';
import { CHAT_PRODUCER } from '../chat-events.factory';

/** Platforms show a business typing for about 5-6 s; ours lasts as long unless it is renewed. */
export const OPERATOR_TYPING_LIFETIME_MS = 6_000;
/** One report per operator and chat in this window is enough to keep the indicator on (renewed before it lapses). */
export const REPORT_TYPING_EVERY_MS = 4_000;
const MAX_TRACKED = 10_000;

/**
 * reportTyping (decision 0042): an operator typing a reply becomes an OperatorTypingV1 on messenger.presence.v1,
 * published straight to the bus (ephemeral: no outbox, nothing stored here). The chat service's presence
 * consumer shows it to the chat's other operators; connectors forward it where the platform can show it.
 * A client may call this on every keystroke: a repeat within REPORT_TYPING_EVERY_MS answers false from memory,
 * before any query.
 */
export class ReportTypingService {
  private readonly lastReported = new Map<string, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly publish: (events: readonly EventToPublish[]) => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when the typing was published, false when the caller reported this chat moments ago. */
  async report(principal: Principal, chatId: string): Promise<boolean> {
    const key = `${principal.employeeId}:${chatId}`;
    const at = this.now();
    const last = this.lastReported.get(key);
    if (last !== undefined && at - last < REPORT_TYPING_EVERY_MS) return false;
    const viewer = await loadViewer(this.dataSource, principal);
    const rows = (await this.dataSource.query(
      // The name other operators see: the employee replica's (current), else the token's.
      `SELECT c.id, c.chat_key, c.channel, c.connection_id, c.connection_display_name, c.external_chat_id, c.operator_ids,
              (SELECT e.name FROM chat.employees e WHERE e.id = $2) AS employee_name
       FROM chat.chats c WHERE c.id = $1`,
      [chatId, principal.employeeId],
    )) as {
      id: string;
      chat_key: string;
      channel: string;
      connection_id: string;
      connection_display_name: string;
      external_chat_id: string;
      operator_ids: string[];
      employee_name: string | null;
    }[];
    const chat = rows[0];
    if (!chat || !canSee(viewer, chat)) throw chatNotFound(chatId);
    // Claimed before publishing, so keystrokes arriving meanwhile do not publish again; released if it fails.
    this.remember(key, at);
    const envelope = createEnvelope(
      OperatorTypingV1,
      {
        connection: { id: chat.connection_id, channel: channelKindSchema.parse(chat.channel), displayName: chat.connection_display_name },
        chatKey: chat.chat_key,
        externalChatId: chat.external_chat_id,
        chatId: chat.id,
        employeeId: principal.employeeId,
        employeeName: chat.employee_name?.trim() || viewer.name.trim() || 'Operator',
        activity: 'typing',
        occurredAt: new Date(at).toISOString(),
        expiresAt: new Date(at + OPERATOR_TYPING_LIFETIME_MS).toISOString(),
      },
      { producer: CHAT_PRODUCER, key: chat.chat_key },
    );
    try {
      await this.publish([{ topic: TOPICS.presence, envelope }]);
    } catch (error) {
      this.lastReported.delete(key);
      throw error;
    }
    return true;
  }

  private remember(key: string, at: number): void {
    this.lastReported.delete(key);
    this.lastReported.set(key, at);
    // Oldest first in a Map: bounded memory however many operators type.
    if (this.lastReported.size > MAX_TRACKED) this.lastReported.delete(this.lastReported.keys().next().value!);
  }
}
