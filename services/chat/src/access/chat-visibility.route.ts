import { CHAT_VISIBILITY_PATH, bearerToken, chatVisibilityRequestSchema, verifyServiceToken, type ChatVisibility, type Logger } from '@switchboard/service-kit';
import express, { type Express, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { canSee, loadViewer } from './viewer';

/**
 * POST /internal/chat-visibility (service token only): lets another service (tasks: a task or reminder
 * created from a chat) ask whether an employee may see a chat, by the same rule as every chat query
 * (decision 0010), instead of copying it. A hidden chat answers like a missing one.
 */
export function registerChatVisibilityRoute(app: Express, deps: { dataSource: DataSource; jwtSecret: string; logger: Logger }): void {
  app.post(CHAT_VISIBILITY_PATH, express.json({ limit: '16kb' }), (req: Request, res: Response) => {
    void (async () => {
      try {
        await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', deps.jwtSecret);
      } catch (error) {
        res.status(401).json({ error: (error as Error).message });
        return;
      }
      const parsed = chatVisibilityRequestSchema.safeParse(req.body);
      if (!parsed.success) {
        res.status(400).json({ error: z.prettifyError(parsed.error) });
        return;
      }
      const { chatId, employee } = parsed.data;
      const rows = (await deps.dataSource.query(`SELECT id, number::int AS number, connection_id, operator_ids FROM chat.chats WHERE id = $1`, [chatId])) as {
        id: string;
        number: number;
        connection_id: string;
        operator_ids: string[];
      }[];
      const chat = rows[0];
      // The name is not part of visibility; the viewer only needs the role and the memberships.
      const viewer = chat ? await loadViewer(deps.dataSource, { ...employee, name: '' }) : undefined;
      const answer: ChatVisibility = chat && viewer && canSee(viewer, chat) ? { visible: true, chat: { chatId: chat.id, chatNumber: chat.number } } : { visible: false };
      res.json(answer);
    })().catch((error: unknown) => {
      deps.logger.error({ err: error }, 'chat visibility request failed');
      if (!res.headersSent) res.status(500).json({ error: 'chat visibility check failed' });
    });
  });
}
