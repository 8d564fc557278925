import { notFound, type Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { lockVisibleChat, loadViewer } from '../access/viewer';
import { chatEvents } from '../chat-events.factory';
import { emitEvents } from '../feed/emit-events';

/** SQL for "customer messages in chat `c` the employee `$n` has not read yet". */
export function unreadCountSql(chatAlias: string, employeeParam: string): string {
  return `(SELECT count(*)::int FROM chat.messages um
           WHERE um.chat_id = ${chatAlias}.id AND um.kind = 'message' AND um.direction = 'inbound'
             AND um.seq > COALESCE((SELECT r.last_read_seq FROM chat.chat_reads r WHERE r.chat_id = ${chatAlias}.id AND r.employee_id = ${employeeParam}), 0))`;
}

/**
 * What each employee has read. Reading only moves forward: a stale "read up to" from another tab never
 * brings unread messages back.
 */
export class ReadStateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void,
  ) {}

  /** Marks the chat read up to a message (default: everything in it now); returns the new unread count. */
  async markRead(principal: Principal, input: { chatId: string; upToMessageId?: string | undefined }): Promise<{ unreadCount: number }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const viewer = await loadViewer(manager, principal);
      const chat = await lockVisibleChat(manager, viewer, input.chatId);
      const position = input.upToMessageId
        ? ((await manager.query(`SELECT seq FROM chat.messages WHERE id = $1 AND chat_id = $2`, [input.upToMessageId, chat.id])) as { seq: string }[])
        : ((await manager.query(`SELECT COALESCE(max(seq), 0) AS seq FROM chat.messages WHERE chat_id = $1`, [chat.id])) as { seq: string }[]);
      if (!position[0]) throw notFound(`Message ${input.upToMessageId} is not in this chat`);
      await manager.query(
        `INSERT INTO chat.chat_reads (chat_id, employee_id, last_read_seq) VALUES ($1, $2, $3)
         ON CONFLICT (chat_id, employee_id) DO UPDATE SET last_read_seq = GREATEST(chat.chat_reads.last_read_seq, EXCLUDED.last_read_seq), read_at = now()`,
        [chat.id, viewer.employeeId, position[0].seq],
      );
      const counted = (await manager.query(`SELECT ${unreadCountSql('c', '$2')} AS n FROM chat.chats c WHERE c.id = $1`, [chat.id, viewer.employeeId])) as {
        n: number;
      }[];
      const unreadCount = counted[0]?.n ?? 0;
      // Unread counts are personal: only the reader's own sessions hear about this.
      await emitEvents(
        manager,
        [chatEvents.read({ chatId: chat.id, chatNumber: Number(chat.number), employeeId: viewer.employeeId, unreadCount, readAt: new Date().toISOString() })],
        () => ({ onlyEmployeeId: viewer.employeeId }),
      );
      return { unreadCount };
    });
    this.onCommitted();
    return result;
  }
}
