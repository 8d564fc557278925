import type { ChatVisibility, ChatVisibilityClient, Principal, SubgraphContext } from '@switchboard/service-kit';

/**
 * Chat visibility as the chat service decides it (decision 0010), asked once per chat per request: a query
 * touching one chat's crm panel several times (or a mutation that returns it) makes one call.
 */
export class ChatAccess {
  private readonly perRequest = new WeakMap<SubgraphContext, Map<string, Promise<ChatVisibility>>>();

  constructor(private readonly client: ChatVisibilityClient) {}

  async visible(ctx: SubgraphContext, principal: Principal, chatId: string): Promise<boolean> {
    let cache = this.perRequest.get(ctx);
    if (!cache) {
      cache = new Map();
      this.perRequest.set(ctx, cache);
    }
    let answer = cache.get(chatId);
    if (!answer) {
      answer = this.client.check(principal, chatId);
      cache.set(chatId, answer);
    }
    return (await answer).visible;
  }
}
