import { useMemo, useState } from 'react';
import { useClient } from 'urql';
import { DetailPanel } from '../details/detail-panel';
import { useChatFiles } from '../files/use-chat-files';
import { TimelineAroundQuery, type TimelineItem } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { useLiveChatEvents } from '../live/live-context';
import { navigate, useLocation } from '../routing/router';
import { ChatHeader } from './chat-header';
import { ChatSearch } from './chat-search';
import { ReplyBox } from './reply-box';
import { Timeline } from './timeline';
import { useChat } from './use-chat';
import { useChatTyping } from './use-chat-typing';

/** Where a search jump landed: the item, and the stretch around it when it is older than the loaded history. */
interface Focus {
  itemId: string;
  around: TimelineItem[] | null;
}

/** The open chat (C1-C11) and, on demand, its detail panel (D). */
export function ChatView({ chatId }: { chatId: string }) {
  const { t } = useI18n();
  const client = useClient();
  const { search } = useLocation();
  const { chat, fetching, error } = useChat(chatId);
  const items = useMemo(() => chat?.timeline.edges.map((edge) => edge.node) ?? [], [chat]);
  const files = useChatFiles(chatId, items);
  const typing = useChatTyping(chatId);
  const [detailsOpen, setDetailsOpen] = useState(false);
  const [searchOpen, setSearchOpen] = useState(false);
  const [focus, setFocus] = useState<Focus | null>(null);
  const backToList = () => navigate(`/${search}`);
  useLiveChatEvents((event) => {
    // Deleted by a colleague while open: there is nothing left to show.
    if (event.type === 'chat.deleted' && event.chatId === chatId) backToList();
  });

  if (!chat) {
    return (
      <section className="chat-view chat-view--empty" aria-busy={fetching}>
        <p role={fetching ? undefined : 'alert'}>{fetching ? t('chat.loadingTimeline') : (error?.message ?? t('chat.notFound'))}</p>
      </section>
    );
  }
  const jumpTo = async (itemId: string) => {
    if (items.some((item) => item.id === itemId)) return setFocus({ itemId, around: null });
    const result = await client.query(TimelineAroundQuery, { chatId, itemId }).toPromise();
    setFocus({ itemId, around: result.data?.chat?.timelineAround ?? null });
  };
  return (
    <>
      <section className="chat-view" aria-label={t('chat.number', { number: chat.number })}>
        <ChatHeader
          chat={chat}
          detailsOpen={detailsOpen}
          onToggleDetails={() => setDetailsOpen((open) => !open)}
          searchOpen={searchOpen}
          onToggleSearch={() => setSearchOpen((open) => !open)}
        />
        {searchOpen && <ChatSearch chatId={chat.id} onJump={(itemId) => void jumpTo(itemId)} />}
        <Timeline
          items={items}
          complete={!chat.timeline.pageInfo.hasNextPage}
          files={files.files}
          focusId={focus?.itemId ?? null}
          around={focus?.around ?? null}
          onBackToLatest={() => setFocus(null)}
        />
        <p className="chat-view__typing" role="status" aria-live="polite">
          {typing.length > 0 ? t('chat.typing', { names: typing.join(', ') }) : ''}
        </p>
        <ReplyBox chat={chat} onFileStored={files.refetch} />
      </section>
      {detailsOpen && <DetailPanel chat={chat} onClose={() => setDetailsOpen(false)} onDeleted={backToList} />}
    </>
  );
}
