import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { ChatRow as ChatRowData } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { chatPath, navigate } from '../routing/router';
import { ChatRow } from './chat-row';

const ROW_HEIGHT = 68;
/** Start loading the next page this many rows before the end, so scrolling rarely meets the end. */
const PREFETCH_ROWS = 30;

/**
 * The chat list, virtualised: only the rows in view (plus a few) are in the DOM, so 10,000 chats scroll
 * like 30. Arrow keys move between chats.
 */
export function ChatList(props: { rows: ChatRowData[]; hasMore: boolean; loading: boolean; selectedId: string | null; search: string; onLoadMore(): void }) {
  const { t } = useI18n();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.rows.length + (props.hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;
  const { hasMore, onLoadMore, rows } = props;
  useEffect(() => {
    if (hasMore && lastIndex >= rows.length - PREFETCH_ROWS) onLoadMore();
  }, [hasMore, lastIndex, rows.length, onLoadMore]);

  const open = (chat: ChatRowData) => navigate(chatPath(chat.id, props.search));
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const current = rows.findIndex((row) => row.id === props.selectedId);
    const next = rows[Math.max(0, Math.min(rows.length - 1, current + (event.key === 'ArrowDown' ? 1 : -1)))];
    if (!next) return;
    open(next);
    virtualizer.scrollToIndex(rows.indexOf(next), { align: 'auto' });
    requestAnimationFrame(() => scroller.current?.querySelector<HTMLElement>(`[data-chat-id="${CSS.escape(next.id)}"]`)?.focus());
  };

  if (!props.loading && rows.length === 0) return <p className="chat-list__empty">{t('list.empty')}</p>;
  return (
    <div ref={scroller} className="chat-list" role="list" aria-label={t('list.label')} aria-busy={props.loading} onKeyDown={onKeyDown}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((item) => {
          const chat = rows[item.index];
          return (
            <div key={chat?.id ?? 'loading'} role="listitem" className="chat-list__item" style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}>
              {chat ? (
                <ChatRow
                  chat={chat}
                  href={chatPath(chat.id, props.search)}
                  selected={chat.id === props.selectedId}
                  onOpen={(event) => {
                    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    open(chat);
                  }}
                />
              ) : (
                <span className="chat-list__loading">{t('list.loading')}</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
