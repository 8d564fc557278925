import { useQuery } from 'urql';
import { FileLink } from '../files/file-link';
import { InboxReferenceQuery, type ChatFile, type TimelineItem } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatTimestamp } from '../ui/format-time';
import { DeliveryTicks } from './delivery-ticks';
import { attachmentKey } from './timeline-files';

type MessageItem = Extract<TimelineItem, { __typename: 'Message' }>;
type NoteItem = Extract<TimelineItem, { __typename: 'Note' }>;
type ActivityItem = Extract<TimelineItem, { __typename: 'ActivityEntry' }>;

export function MessageBubble({ message, focused, files }: { message: MessageItem; focused: boolean; files: ReadonlyMap<string, ChatFile> }) {
  const { t, locale } = useI18n();
  const outbound = message.direction === 'OUTBOUND';
  return (
    <article className={`bubble bubble--${outbound ? 'outbound' : 'inbound'}${focused ? ' is-focused' : ''}`} data-item-id={message.id}>
      {outbound && message.author && <p className="bubble__author">{message.author.name}</p>}
      <p className="bubble__text">{message.deleted ? <em>{t('chat.deleted')}</em> : (message.text ?? message.placeholder)}</p>
      {message.attachments.length > 0 && (
        <ul className="bubble__attachments">
          {message.attachments.map((attachment, index) => {
            const file = files.get(attachmentKey(message.id, index));
            const name = attachment.fileName ?? attachment.kind;
            return (
              <li key={index}>
                {file ? <FileLink file={file} label={name} /> : name}
                {attachment.caption && ` — ${attachment.caption}`}
              </li>
            );
          })}
        </ul>
      )}
      <footer className="bubble__meta">
        <time dateTime={message.sentAt}>{formatTimestamp(message.sentAt, locale)}</time>
        {outbound && message.deliveryState && <DeliveryTicks state={message.deliveryState} failure={message.failure} />}
      </footer>
    </article>
  );
}

/** C7: a note is for employees only; it looks unlike anything the customer could have seen. */
export function NoteCard({ note, focused }: { note: NoteItem; focused: boolean }) {
  const { t, locale } = useI18n();
  return (
    <article className={`note${focused ? ' is-focused' : ''}`} data-item-id={note.id} aria-label={t('chat.noteBadge')}>
      <p className="note__badge">{t('chat.noteBadge')}</p>
      <p className="note__text">{note.text}</p>
      <footer className="bubble__meta">
        {note.author?.name} · <time dateTime={note.createdAt}>{formatTimestamp(note.createdAt, locale)}</time>
      </footer>
    </article>
  );
}

/** An activity entry (who did what, when); statuses by their names, as the status menu shows them. */
export function ActivityLine({ entry }: { entry: ActivityItem }) {
  const { t, locale } = useI18n();
  const [{ data }] = useQuery({ query: InboxReferenceQuery });
  const statusName = (code: string | null) => (code ? (data?.chatStatuses.find((status) => status.code === code)?.name ?? code) : '—');
  const text = t(`activity.${entry.type}`, {
    actor: entry.actor.name,
    from: statusName(entry.fromStatus),
    to: statusName(entry.toStatus),
    operators: entry.operators.map((operator) => operator.name).join(', ') || '—',
  });
  return (
    <p className="activity" data-item-id={entry.id} data-activity-type={entry.type}>
      {text} · <time dateTime={entry.at}>{formatTimestamp(entry.at, locale)}</time>
    </p>
  );
}

/** C10: a file an operator uploaded to the chat, with its download link. */
export function UploadedFileLine({ file }: { file: ChatFile }) {
  const { t, locale } = useI18n();
  return (
    <article className="uploaded-file" data-file-id={file.id}>
      <p className="uploaded-file__who">{t('files.uploadedBy', { name: file.uploadedBy?.name ?? '—' })}</p>
      <FileLink file={file} />
      <footer className="bubble__meta">
        <time dateTime={file.createdAt}>{formatTimestamp(file.createdAt, locale)}</time>
      </footer>
    </article>
  );
}
