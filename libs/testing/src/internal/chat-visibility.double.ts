import express from 'express';
import { jwtVerify } from 'jose';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

// The wire contract of service-kit's internal/chat-visibility.ts, restated here because libs/testing may not
// import service-kit (service-kit's own tests import libs/testing). Services' suites run their real
// ChatVisibilityClient against this double, so a drift between the two fails those suites.
const CHAT_VISIBILITY_PATH = '/internal/chat-visibility';
const SERVICE_TOKEN = { issuer: 'switchboard-internal', audience: 'switchboard-internal' } as const;
const requestSchema = z.object({ chatId: z.uuid(), employee: z.object({ employeeId: z.uuid(), role: z.enum(['admin', 'operator']) }) });
type Answer = { visible: true; chat: { chatId: string; chatNumber: number } } | { visible: false };

/**
 * Plays the chat service's POST /internal/chat-visibility for tests of services that ask it (a service may
 * not import another): a real service-token check (HS256, the internal issuer and audience) and chats
 * visible to the employees the test names (admins see every known chat).
 */
export class ChatVisibilityDouble {
  private readonly chats = new Map<string, { chatNumber: number; visibleTo: Set<string> }>();
  /** Every request that passed the token check, so tests can see what was asked. */
  readonly requests: { chatId: string; employeeId: string }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(private readonly jwtSecret: string) {}

  /** Adds the chat, or replaces who may see it. */
  addChat(chatId: string, chatNumber: number, visibleTo: string[]): void {
    this.chats.set(chatId, { chatNumber, visibleTo: new Set(visibleTo) });
  }

  async start(): Promise<void> {
    const app = express();
    const key = new TextEncoder().encode(this.jwtSecret);
    app.post(CHAT_VISIBILITY_PATH, express.json(), (req, res) => {
      void (async () => {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        try {
          const { payload } = await jwtVerify(token, key, { ...SERVICE_TOKEN, algorithms: ['HS256'] });
          if (!payload.sub?.startsWith('service:')) throw new Error('not a service token');
        } catch {
          res.status(401).json({ error: 'service token required' });
          return;
        }
        const parsed = requestSchema.safeParse(req.body);
        if (!parsed.success) {
          res.status(400).json({ error: parsed.error.message });
          return;
        }
        const { chatId, employee } = parsed.data;
        this.requests.push({ chatId, employeeId: employee.employeeId });
        const chat = this.chats.get(chatId);
        const visible = chat && (employee.role === 'admin' || chat.visibleTo.has(employee.employeeId));
        const answer: Answer = visible ? { visible: true, chat: { chatId, chatNumber: chat.chatNumber } } : { visible: false };
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
