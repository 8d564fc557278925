import { z } from 'zod';
import { ROLES, type Principal } from '../auth/access-token';
import { ServiceTokenSource } from '../auth/service-token';

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

/** Calls the chat service's visibility endpoint with a service token. */
export class ChatVisibilityClient {
  private readonly tokens: ServiceTokenSource;

  constructor(private readonly options: { chatServiceUrl: string; jwtSecret: string; service: string; timeoutMs?: number }) {
    this.tokens = new ServiceTokenSource({ jwtSecret: options.jwtSecret, service: options.service });
  }

  async check(principal: Principal, chatId: string): Promise<ChatVisibility> {
    const body: ChatVisibilityRequest = { chatId, employee: { employeeId: principal.employeeId, role: principal.role } };
    const response = await fetch(new URL(CHAT_VISIBILITY_PATH, this.options.chatServiceUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await this.tokens.current()}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (!response.ok) throw new Error(`chat service answered ${response.status} to ${CHAT_VISIBILITY_PATH}: ${await response.text()}`);
    return chatVisibilityResponseSchema.parse(await response.json());
  }
}
