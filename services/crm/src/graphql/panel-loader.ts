import type { SubgraphContext } from '@switchboard/service-kit';
import type { UrlPatterns } from '../crm.config';
import type { DirectoryService } from '../directory/directory.service';
import type { ChatLinkService } from '../links/chat-link.service';
import { chatPanels, type ChatPanel } from '../links/chat-panel';

type Waiting = { chatId: string; resolve: (panel: ChatPanel | null) => void; reject: (error: unknown) => void };

/**
 * Gathers the chats whose panel one request asks for (a chat list with `crm` on every row) and loads them
 * together once the resolvers of this turn of the event loop have asked: a few queries per batch.
 */
export class PanelLoader {
  private readonly waiting = new WeakMap<SubgraphContext, Waiting[]>();

  constructor(
    private readonly deps: { links: ChatLinkService; directory: DirectoryService; urls: UrlPatterns },
  ) {}

  load(ctx: SubgraphContext, chatId: string): Promise<ChatPanel | null> {
    return new Promise((resolve, reject) => {
      let queue = this.waiting.get(ctx);
      if (!queue) {
        queue = [];
        this.waiting.set(ctx, queue);
        setImmediate(() => {
          this.waiting.delete(ctx);
          this.flush(queue!).catch((error: unknown) => queue!.forEach((w) => w.reject(error)));
        });
      }
      queue.push({ chatId, resolve, reject });
    });
  }

  private async flush(queue: readonly Waiting[]): Promise<void> {
    const links = await this.deps.links.linksOf(queue.map((w) => w.chatId));
    const panels = await chatPanels(this.deps.directory, this.deps.urls, [...links.values()]);
    for (const w of queue) w.resolve(panels.get(w.chatId) ?? null);
  }
}
