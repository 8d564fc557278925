import type { Principal } from '@switchboard/service-kit';
import type { DataSource } from 'typeorm';
import { lockVisibleChat, loadViewer } from '../access/viewer';
import { chatEvents } from '../chat-events.factory';
import { emitEvents } from '../feed/emit-events';

/**
 * Internal notes (C7, C9): timeline rows of kind 'note'. They have no direction and never produce an
 * outbound command, so no code path can send one to a platform; nor do they change the chat's preview
 * or its "unanswered" state, which are about the customer conversation.
 */
export class NoteService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void,
  ) {}

  async addNote(principal: Principal, input: { chatId: string; text: string }): Promise<{ noteId: string }> {
    const result = await this.dataSource.transaction(async (manager) => {
      const viewer = await loadViewer(manager, principal);
      const chat = await lockVisibleChat(manager, viewer, input.chatId);
      const rows = (await manager.query(
        `INSERT INTO chat.messages (chat_id, kind, text, author_employee_id, sent_at) VALUES ($1, 'note', $2, $3, now()) RETURNING id, sent_at`,
        [chat.id, input.text, viewer.employeeId],
      )) as { id: string; sent_at: Date }[];
      const note = rows[0]!;
      await emitEvents(manager, [
        chatEvents.noteAdded({
          chatId: chat.id,
          chatNumber: Number(chat.number),
          noteId: note.id,
          authorEmployeeId: viewer.employeeId,
          text: input.text,
          createdAt: new Date(note.sent_at).toISOString(),
        }),
      ]);
      return { noteId: note.id };
    });
    this.onCommitted();
    return result;
  }
}
