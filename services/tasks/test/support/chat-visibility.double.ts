import { CHAT_VISIBILITY_PATH, bearerToken, chatVisibilityRequestSchema, verifyServiceToken, type ChatVisibility } from '@switchboard/service-kit';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plays the chat service's POST /internal/chat-visibility for the tasks service's tests (a service may
 * not import another): the same request/response contract from service-kit, a real service-token check,
 * and chats visible to the employees the test names.
 */
export class ChatVisibilityDouble {
  private readonly chats = new Map<string, { chatNumber: number; visibleTo: Set<string> }>();
  /** Every request that passed the token check, so tests can see what was asked. */
  readonly requests: { chatId: string; employeeId: string }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly jwtSecret: string) {}

  addChat(chatId: string, chatNumber: number, visibleTo: string[]): void {
    this.chats.set(chatId, { chatNumber, visibleTo: new Set(visibleTo) });
  }

  async start(): Promise<void> {
    const app = express();
    app.post(CHAT_VISIBILITY_PATH, express.json(), (req, res) => {
      void (async () => {
        try {
          await verifyServiceToken(bearerToken(req.headers.authorization) ?? '', this.jwtSecret);
        } catch {
          res.status(401).json({ error: 'service token required' });
          return;
        }
        const parsed = chatVisibilityRequestSchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: parsed.error.message });
          return;
        }
        const { chatId, employee } = parsed.data;
        this.requests.push({ chatId, employeeId: employee.employeeId });
        const chat = this.chats.get(chatId);
        const visible = chat && (employee.role === 'admin' || chat.visibleTo.has(employee.employeeId));
        const answer: ChatVisibility = visible ? { visible: true, chat: { chatId, chatNumber: chat.chatNumber } } : { visible: false };
        res.json(answer);
      })();
    });
    await new Promise<void>((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => (this.server ? this.server.close((error) => (error ? reject(error) : resolve())) : resolve()));
  }
}
