import { useState } from 'react';
import { useMutation } from 'urql';
import { useChatAction } from '../chat/use-chat-action';
import { DeleteChatMutation, EndChatMutation, LeaveChatMutation, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ConfirmDialog } from './confirm-dialog';

/** D2/D3: end the chat, leave it (the other operators stay), delete it after a confirmation. */
export function ChatActionsSection({ chat, onDeleted }: { chat: ChatDetails; onDeleted(): void }) {
  const { t } = useI18n();
  const [, endChat] = useMutation(EndChatMutation);
  const [, leaveChat] = useMutation(LeaveChatMutation);
  const [, deleteChat] = useMutation(DeleteChatMutation);
  const { run, error, busy } = useChatAction();
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  return (
    <section className="details__section details__actions">
      <button type="button" className="button" disabled={busy || chat.status.isClosed} onClick={() => void run(() => endChat({ chatId: chat.id }))}>
        {t('details.endChat')}
      </button>
      <button type="button" className="button" disabled={busy} onClick={() => void run(() => leaveChat({ chatId: chat.id }))}>
        {t('details.leaveChat')}
      </button>
      <button type="button" className="button button--danger" disabled={busy} onClick={() => setConfirmingDelete(true)}>
        {t('details.deleteChat')}
      </button>
      {error && (
        <p className="error" role="alert">
          {t('details.actionFailed', { message: error })}
        </p>
      )}
      {confirmingDelete && (
        <ConfirmDialog
          message={t('details.deleteConfirm', { number: chat.number })}
          confirmLabel={t('details.confirmDelete')}
          cancelLabel={t('details.cancel')}
          onCancel={() => setConfirmingDelete(false)}
          onConfirm={async () => {
            setConfirmingDelete(false);
            const deleted = await run(() => deleteChat({ chatId: chat.id }));
            if (deleted) onDeleted();
          }}
        />
      )}
    </section>
  );
}
