import { z } from 'zod';
import { ROLES, type Principal } from '../auth/access-token';
import { signServiceToken } from '../auth/service-token';

/**
 * POST /internal/chat-visibility on the chat service: "may this employee see this chat, and what is its
 * number?". The chat service owns visibility (decision 0010); services that keep a reference to a chat
 * (tasks, reminders) ask it here instead of copying the rule. Service token only; not public API.
 */
export const CHAT_VISIBILITY_PATH = '/internal/chat-visibility';

export const chatVisibilityRequestSchema = z.object({
  chatId: z.uuid('chatId must be an id'),
  employee: z.object({ employeeId: z.uuid(), role: z.enum(ROLES) }),
});
export type ChatVisibilityRequest = z.infer<typeof chatVisibilityRequestSchema>;

/** A chat the employee may not see answers exactly like one that does not exist: `visible: false`. */
export const chatVisibilityResponseSchema = z.discriminatedUnion('visible', [
  z.object({ visible: z.literal(true), chat: z.object({ chatId: z.uuid(), chatNumber: z.number().int().positive() }) }),
  z.object({ visible: z.literal(false) }),
]);
export type ChatVisibility = z.infer<typeof chatVisibilityResponseSchema>;

const TOKEN_TTL_SECONDS = 300;

/** Calls the chat service's visibility endpoint with a service token (renewed at half its lifetime). */
export class ChatVisibilityClient {
  private token: { value: string; renewAt: number } | undefined;

  constructor(private readonly options: { chatServiceUrl: string; jwtSecret: string; service: string; timeoutMs?: number }) {}

  async check(principal: Principal, chatId: string): Promise<ChatVisibility> {
    const body: ChatVisibilityRequest = { chatId, employee: { employeeId: principal.employeeId, role: principal.role } };
    const response = await fetch(new URL(CHAT_VISIBILITY_PATH, this.options.chatServiceUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.serviceToken()}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new Error(`chat service answered ${response.status} to ${CHAT_VISIBILITY_PATH}: ${await response.text()}`);
    return chatVisibilityResponseSchema.parse(await response.json());
  }

  private async serviceToken(): Promise<string> {
    if (!this.token || Date.now() >= this.token.renewAt) {
      const value = await signServiceToken({ service: this.options.service, secret: this.options.jwtSecret, ttlSeconds: TOKEN_TTL_SECONDS });
      this.token = { value, renewAt: Date.now() + (TOKEN_TTL_SECONDS / 2) * 1000 };
    }
    return this.token.value;
  }
}
