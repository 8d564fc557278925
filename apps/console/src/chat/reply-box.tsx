import { useRef, useState, type KeyboardEvent } from 'react';
import { useClient, useMutation } from 'urql';
import { AddNoteMutation, RenderCannedAnswerQuery, SendMessageMutation, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { CannedAnswerPicker, slashQuery, type CannedAnswerChoice } from './canned-answer-picker';

/**
 * C8-C11: the reply to the customer, or with "Примітка" on, an internal note. "/" at the start opens the
 * canned answers; Ctrl+Enter sends. Free text is disabled when the platform's reply window is closed.
 */
export function ReplyBox({ chat }: { chat: ChatDetails }) {
  const { t } = useI18n();
  const client = useClient();
  const [text, setText] = useState('');
  const [noteMode, setNoteMode] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ fetching: sending }, sendMessage] = useMutation(SendMessageMutation);
  const [{ fetching: saving }, addNote] = useMutation(AddNoteMutation);
  const input = useRef<HTMLTextAreaElement>(null);

  const typedShortcode = slashQuery(text);
  const showPicker = pickerOpen || typedShortcode !== null;
  const replyBlocked = !noteMode && !chat.replyWindow.freeTextAllowed;
  const busy = sending || saving;

  const submit = async () => {
    const body = text.trim();
    if (!body || busy || replyBlocked) return;
    setNotice(null);
    const result = noteMode ? await addNote({ chatId: chat.id, text: body }) : await sendMessage({ input: { chatId: chat.id, text: body } });
    if (result.error) {
      setNotice(t('reply.failed', { message: result.error.graphQLErrors[0]?.message ?? result.error.message }));
      return;
    }
    setText('');
  };

  const insertCanned = async (answer: CannedAnswerChoice) => {
    setPickerOpen(false);
    const result = await client.query(RenderCannedAnswerQuery, { id: answer.id, chatId: chat.id }, { requestPolicy: 'network-only' }).toPromise();
    const rendered = result.data?.renderCannedAnswer;
    if (!rendered) {
      setNotice(t('reply.failed', { message: result.error?.message ?? '?' }));
      return;
    }
    setText(rendered.text);
    setNotice(rendered.missingVariables.length ? t('reply.cannedMissing', { variables: rendered.missingVariables.join(', ') }) : null);
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    } else if (showPicker && (event.key === 'ArrowDown' || event.key === 'Escape')) {
      event.preventDefault();
      if (event.key === 'Escape') {
        setPickerOpen(false);
        if (typedShortcode !== null) setText('');
      } else document.querySelector<HTMLElement>('.canned-picker')?.focus();
    }
  };

  return (
    <form
      className={`reply-box${noteMode ? ' reply-box--note' : ''}`}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {showPicker && (
        <CannedAnswerPicker
          query={typedShortcode ?? ''}
          onPick={(answer) => void insertCanned(answer)}
          onClose={() => {
            setPickerOpen(false);
            input.current?.focus();
          }}
        />
      )}
      {replyBlocked && (
        <p className="reply-box__window" role="status">
          {t('reply.windowClosed')}
        </p>
      )}
      <textarea
        ref={input}
        className="reply-box__input"
        rows={3}
        aria-label={noteMode ? t('reply.notePlaceholder') : t('reply.placeholder')}
        placeholder={noteMode ? t('reply.notePlaceholder') : t('reply.placeholder')}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {notice && (
        <p className="reply-box__notice" role="alert">
          {notice}
        </p>
      )}
      <div className="reply-box__tools">
        <button type="button" className="button" aria-pressed={noteMode} onClick={() => setNoteMode((on) => !on)}>
          {t('reply.note')}
        </button>
        <button type="button" className="button" aria-expanded={showPicker} onClick={() => setPickerOpen((open) => !open)}>
          {t('reply.canned')}
        </button>
        <button type="button" className="button" disabled title={t('reply.filesUnavailable')}>
          {t('reply.files')}
        </button>
        <span className="reply-box__spacer" />
        <button type="submit" className="button button--primary" disabled={busy || !text.trim() || replyBlocked}>
          {noteMode ? t('reply.saveNote') : t('reply.send')}
        </button>
      </div>
    </form>
  );
}
