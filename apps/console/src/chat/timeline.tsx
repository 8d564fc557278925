import { useEffect, useMemo, useRef } from 'react';
import type { TimelineItem } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ActivityLine, MessageBubble, NoteCard } from './timeline-entries';
import { chronological } from './timeline-order';

/**
 * The chat's history: messages, internal notes and activity entries in one stream, latest at the bottom.
 * With `around` (a search jump to an item older than the loaded history) it shows that stretch instead.
 */
export function Timeline(props: { items: readonly TimelineItem[]; focusId: string | null; around: readonly TimelineItem[] | null; onBackToLatest(): void }) {
  const { t } = useI18n();
  const { items, focusId, around } = props;
  const ordered = useMemo(() => (around ? [...around] : chronological(items)), [items, around]);
  const list = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const newest = ordered[ordered.length - 1]?.id;
  useEffect(() => {
    // Braces matter: recent Chromium returns a promise from scrollIntoView, which React must not get.
    if (focusId) list.current?.querySelector(`[data-item-id="${CSS.escape(focusId)}"]`)?.scrollIntoView({ block: 'center' });
    else end.current?.scrollIntoView({ block: 'end' });
  }, [newest, focusId]);
  return (
    <div ref={list} className="timeline" role="log" aria-label={t('chat.timeline')} aria-live="polite">
      {around && (
        <p className="timeline__around" role="status">
          {t('chat.showingAround')}{' '}
          <button type="button" className="button button--link" onClick={props.onBackToLatest}>
            {t('chat.backToLatest')}
          </button>
        </p>
      )}
      {ordered.map((item) => {
        switch (item.__typename) {
          case 'Message':
            return <MessageBubble key={`m${item.id}`} message={item} focused={item.id === focusId} />;
          case 'Note':
            return <NoteCard key={`n${item.id}`} note={item} focused={item.id === focusId} />;
          case 'ActivityEntry':
            return <ActivityLine key={`a${item.id}`} entry={item} />;
        }
      })}
      <div ref={end} />
    </div>
  );
}
