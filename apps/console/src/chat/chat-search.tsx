import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { SearchInChatQuery } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatTimestamp } from '../ui/format-time';
import { HighlightedText } from './highlighted-text';

/** C5 "Пошук" inside the chat: matches with highlighted fragments; choosing one jumps to it. */
export function ChatSearch({ chatId, onJump }: { chatId: string; onJump(itemId: string): void }) {
  const { t, locale } = useI18n();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [{ data, fetching }] = useQuery({ query: SearchInChatQuery, variables: { chatId, query }, pause: query.length < 2, requestPolicy: 'network-only' });
  const hits = data?.chat?.searchTimeline.edges.map((edge) => edge.node) ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(text.trim());
  };

  return (
    <div className="chat-search">
      <form role="search" onSubmit={submit}>
        <input type="search" aria-label={t('chat.search')} placeholder={t('chat.searchPlaceholder')} value={text} onChange={(event) => setText(event.target.value)} />
        <button type="submit" className="button">
          {t('chat.search')}
        </button>
      </form>
      {query.length >= 2 && !fetching && (
        <ul className="chat-search__hits" aria-label={t('chat.searchResults')}>
          {hits.length === 0 && <li className="muted">{t('chat.searchNothing')}</li>}
          {hits.map((hit) => {
            const at = hit.item.__typename === 'Message' ? hit.item.sentAt : hit.item.__typename === 'Note' ? hit.item.createdAt : hit.item.at;
            return (
              <li key={hit.item.id}>
                <button type="button" className="chat-search__hit" onClick={() => onJump(hit.item.id)}>
                  <time dateTime={at}>{formatTimestamp(at, locale)}</time> <HighlightedText text={hit.fragment.text} ranges={hit.fragment.ranges} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
