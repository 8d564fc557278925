import { useRef, useState, type ClipboardEvent, type DragEvent, type KeyboardEvent } from 'react';
import { useClient, useMutation } from 'urql';
import { UploadList } from '../files/upload-list';
import { filesOf } from '../files/uploads';
import { useUploads } from '../files/use-uploads';
import { AddNoteMutation, RenderCannedAnswerQuery, SendMessageMutation, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { CannedAnswerPicker, slashQuery, type CannedAnswerChoice } from './canned-answer-picker';
import { TemplatePicker } from './template-picker';
import { useReportTyping } from './use-chat-typing';

/**
 * C8-C11: the reply to the customer, or with "Примітка" on, an internal note. "/" at the start opens the
 * canned answers; Ctrl+Enter sends. Free text is disabled when the platform's reply window is closed.
 * "Файли" (or a drop, or a paste) uploads files to the chat with progress.
 */
export function ReplyBox({ chat, onFileStored }: { chat: ChatDetails; onFileStored(): void }) {
  const { t } = useI18n();
  const client = useClient();
  const [text, setText] = useState('');
  const [noteMode, setNoteMode] = useState(false);
  const [pickerOpen, setPickerOpen] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [{ fetching: sending }, sendMessage] = useMutation(SendMessageMutation);
  const [{ fetching: saving }, addNote] = useMutation(AddNoteMutation);
  const input = useRef<HTMLTextAreaElement>(null);
  const filePicker = useRef<HTMLInputElement>(null);
  const { uploads, add: addFiles, dismiss } = useUploads(chat.id, onFileStored);
  const [dragging, setDragging] = useState(false);
  const reportTyping = useReportTyping(chat.id);

  const typedShortcode = slashQuery(text);
  const showPicker = pickerOpen || typedShortcode !== null;
  const replyBlocked = !noteMode && !chat.replyWindow.freeTextAllowed;
  // WhatsApp outside the 24-hour window: only an approved template reaches the customer.
  const templateOffered = replyBlocked && chat.replyWindow.alternatives.some((alternative) => alternative.kind === 'TEMPLATE');
  const [templateOpen, setTemplateOpen] = useState(false);
  const busy = sending || saving;
  // Stored uploads go with the next reply (a note carries no files); one still uploading holds the reply back.
  const attached = noteMode ? [] : uploads.filter((upload) => upload.state === 'stored');
  const uploading = !noteMode && uploads.some((upload) => upload.state === 'uploading');
  const canSubmit = !busy && !replyBlocked && !uploading && (text.trim() !== '' || attached.length > 0);

  const submit = async () => {
    const body = text.trim();
    if (!canSubmit) return;
    setNotice(null);
    const fileIds = attached.map((upload) => upload.fileId!);
    const result = noteMode
      ? await addNote({ chatId: chat.id, text: body })
      : await sendMessage({ input: { chatId: chat.id, text: body, ...(fileIds.length > 0 ? { fileIds } : {}) } });
    if (result.error) {
      setNotice(t('reply.failed', { message: result.error.graphQLErrors[0]?.message ?? result.error.message }));
      return;
    }
    setText('');
    for (const upload of attached) dismiss(upload.key);
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

  const onDragOver = (event: DragEvent<HTMLFormElement>) => {
    if (!event.dataTransfer.types.includes('Files')) return;
    // Without this the browser would open the dropped file in place of the console.
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDrop = (event: DragEvent<HTMLFormElement>) => {
    setDragging(false);
    const files = filesOf(event.dataTransfer);
    if (files.length === 0) return;
    event.preventDefault();
    addFiles(files);
  };
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const files = filesOf(event.clipboardData);
    if (files.length === 0) return;
    event.preventDefault();
    addFiles(files);
  };

  return (
    <form
      className={`reply-box${noteMode ? ' reply-box--note' : ''}${dragging ? ' reply-box--drop' : ''}`}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
      onDragOver={onDragOver}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
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
      {templateOffered && !templateOpen && (
        <button type="button" className="button reply-box__template" onClick={() => setTemplateOpen(true)}>
          {t('reply.sendTemplate')}
        </button>
      )}
      {templateOffered && templateOpen && <TemplatePicker chat={chat} onSent={() => setTemplateOpen(false)} onClose={() => setTemplateOpen(false)} />}
      <textarea
        ref={input}
        className="reply-box__input"
        rows={3}
        aria-label={noteMode ? t('reply.notePlaceholder') : t('reply.placeholder')}
        placeholder={noteMode ? t('reply.notePlaceholder') : t('reply.placeholder')}
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          // Colleagues and the customer see the operator typing a reply; a note is nobody's business but ours.
          if (!noteMode && event.target.value.trim() !== '') reportTyping();
        }}
        onKeyDown={onKeyDown}
        onPaste={onPaste}
      />
      <UploadList uploads={uploads} onDismiss={dismiss} />
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
        <button type="button" className="button" title={t('reply.filesHint')} onClick={() => filePicker.current?.click()}>
          {t('reply.files')}
        </button>
        <input
          ref={filePicker}
          type="file"
          multiple
          hidden
          aria-label={t('reply.files')}
          onChange={(event) => {
            addFiles(Array.from(event.target.files ?? []));
            // The same file picked again must upload again.
            event.target.value = '';
          }}
        />
        <span className="reply-box__spacer" />
        <button type="submit" className="button button--primary" disabled={!canSubmit}>
          {noteMode ? t('reply.saveNote') : t('reply.send')}
        </button>
      </div>
    </form>
  );
}
