import { AuthenticationError, CHAT_VISIBILITY_PATH, chatVisibilityRequestSchema, registerInternalJsonRoute, type ChatVisibility, type Logger, type Role } from '@switchboard/service-kit';
import type { Express } from 'express';
import type { DataSource } from 'typeorm';
import { canSee, loadViewer, type Viewer } from './viewer';

/**
 * POST /internal/chat-visibility (service token only): lets another service (tasks: a task or reminder
 * created from a chat) ask whether an employee may see a chat, by the same rule as every chat query
 * (decision 0010), instead of copying it. A hidden chat answers like a missing one.
 */
export function registerChatVisibilityRoute(app: Express, deps: { dataSource: DataSource; jwtSecret: string; logger: Logger }): void {
  registerInternalJsonRoute(
    app,
    { path: CHAT_VISIBILITY_PATH, schema: chatVisibilityRequestSchema, bodyLimit: '16kb', what: 'chat visibility check', jwtSecret: deps.jwtSecret, logger: deps.logger },
    async ({ chatId, employee }): Promise<ChatVisibility> => {
      const rows = (await deps.dataSource.query(`SELECT id, number::int AS number, connection_id, operator_ids FROM chat.chats WHERE id = $1`, [chatId])) as {
        id: string;
        number: number;
        connection_id: string;
        operator_ids: string[];
      }[];
      const chat = rows[0];
      // The name is not part of visibility; the viewer only needs the role and the memberships.
      const viewer = chat ? await loadViewerOrNone(deps.dataSource, employee) : undefined;
      return chat && viewer && canSee(viewer, chat) ? { visible: true, chat: { chatId: chat.id, chatNumber: chat.number } } : { visible: false };
    },
  );
}

/** A deactivated employee sees no chat: the question has an answer (not visible), not an error. */
async function loadViewerOrNone(db: DataSource, employee: { employeeId: string; role: Role }): Promise<Viewer | undefined> {
  try {
    return await loadViewer(db, { ...employee, name: '' });
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  }
}
