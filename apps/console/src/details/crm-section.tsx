import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useChatAction } from '../chat/use-chat-action';
import { ChatCrmQuery, CrmSearchQuery, LinkChatMutation, UnlinkChatMutation, type ChatDetails, type CrmSearchHit } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { useDebounced } from '../ui/use-debounced';
import { CrmCard } from './crm-card';

const SEARCH_DEBOUNCE_MS = 300;
/** crmSearch needs something to look for; one letter would match half the directory. */
const MIN_QUERY_LENGTH = 2;

/** D1/D2: the CRM record the chat is linked to, and "Вибрати зв'язок" to link it (or another one). */
export function CrmSection({ chat }: { chat: ChatDetails }) {
  const { t } = useI18n();
  const [{ data, error: loadError }] = useQuery({ query: ChatCrmQuery, variables: { chatId: chat.id } });
  const [, unlinkChat] = useMutation(UnlinkChatMutation);
  const { run, error, busy } = useChatAction();
  const [choosing, setChoosing] = useState(false);
  const crm = data?.chat?.crm;

  return (
    <section className="details__section" aria-labelledby="details-crm">
      <h3 id="details-crm">{t('crm.title')}</h3>
      {loadError && (
        <p className="error" role="alert">
          {loadError.graphQLErrors[0]?.message ?? loadError.message}
        </p>
      )}
      {crm ? <CrmCard crm={crm} /> : data && <p className="muted">{t('crm.none')}</p>}
      <div className="crm-section__buttons">
        <button type="button" className="button" aria-expanded={choosing} onClick={() => setChoosing((open) => !open)}>
          {t('crm.choose')}
        </button>
        {crm && (
          <button type="button" className="button" disabled={busy} onClick={() => void run(() => unlinkChat({ chatId: chat.id }))}>
            {t('crm.unlink')}
          </button>
        )}
      </div>
      {choosing && <CrmLinkPicker chatId={chat.id} onLinked={() => setChoosing(false)} />}
      {error && (
        <p className="error" role="alert">
          {t('details.actionFailed', { message: error })}
        </p>
      )}
    </section>
  );
}

function CrmLinkPicker({ chatId, onLinked }: { chatId: string; onLinked(): void }) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const query = useDebounced(text.trim(), SEARCH_DEBOUNCE_MS);
  const [{ data, fetching, error: searchError }] = useQuery({ query: CrmSearchQuery, variables: { query }, pause: query.length < MIN_QUERY_LENGTH });
  const [, linkChat] = useMutation(LinkChatMutation);
  const { run, error, busy } = useChatAction();
  const hits = query.length >= MIN_QUERY_LENGTH ? (data?.crmSearch ?? []) : [];

  const link = async (hit: CrmSearchHit) => {
    const linked = await run(() => linkChat({ chatId, target: { kind: hit.kind, id: hit.id } }));
    if (linked) onLinked();
  };

  return (
    <div className="crm-picker">
      <input
        type="search"
        className="search-field"
        aria-label={t('crm.search')}
        placeholder={t('crm.searchPlaceholder')}
        value={text}
        autoFocus
        onChange={(event) => setText(event.target.value)}
      />
      {searchError && (
        <p className="error" role="alert">
          {searchError.graphQLErrors[0]?.message ?? searchError.message}
        </p>
      )}
      {query.length >= MIN_QUERY_LENGTH && !fetching && hits.length === 0 && !searchError && <p className="muted">{t('crm.nothing')}</p>}
      <ul className="crm-picker__hits" aria-label={t('crm.results')}>
        {hits.map((hit) => (
          <li key={`${hit.kind}:${hit.id}`}>
            <button type="button" className="crm-picker__hit" disabled={busy} onClick={() => void link(hit)}>
              <span className="crm-picker__kind">{t(`crm.kind.${hit.kind}`)}</span> <strong>{hit.title}</strong>
              {hit.subtitle && <span className="muted"> · {hit.subtitle}</span>}
              {(hit.phone ?? hit.email) && <span className="crm-picker__contact muted">{[hit.phone, hit.email].filter(Boolean).join(' · ')}</span>}
            </button>
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {t('details.actionFailed', { message: error })}
        </p>
      )}
    </div>
  );
}
