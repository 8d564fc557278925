import { useEffect, useMemo, useRef } from 'react';
import type { ChatFile, TimelineItem } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { filesByAttachment, withUploads } from './timeline-files';
import { ActivityLine, MessageBubble, NoteCard, UploadedFileLine } from './timeline-entries';
import { chronological } from './timeline-order';

/**
 * The chat's history: messages, internal notes, activity entries and uploaded files in one stream, latest
 * at the bottom. With `around` (a search jump to an item older than the loaded history) it shows that
 * stretch instead.
 */
export function Timeline(props: {
  items: readonly TimelineItem[];
  /** False while older history is not loaded. */
  complete: boolean;
  files: readonly ChatFile[];
  focusId: string | null;
  around: readonly TimelineItem[] | null;
  onBackToLatest(): void;
}) {
  const { t } = useI18n();
  const { items, complete, files, focusId, around } = props;
  const entries = useMemo(() => withUploads(around ? [...around] : chronological(items), around ? [] : files, complete), [items, around, files, complete]);
  const attachments = useMemo(() => filesByAttachment(files), [files]);
  const list = useRef<HTMLDivElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const last = entries[entries.length - 1];
  const newest = last && (last.kind === 'item' ? last.item.id : last.file.id);
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
      {entries.map((entry) => {
        if (entry.kind === 'file') return <UploadedFileLine key={`f${entry.file.id}`} file={entry.file} />;
        const { item } = entry;
        switch (item.__typename) {
          case 'Message':
            return <MessageBubble key={`m${item.id}`} message={item} focused={item.id === focusId} files={attachments} />;
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
