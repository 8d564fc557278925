import { useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { useChatAction } from '../chat/use-chat-action';
import { AddChatOperatorsMutation, AssignChatOperatorsMutation, InboxReferenceQuery, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';

/** D2 "Оператор": who works on the chat; add one more, or hand the chat over (reassign). */
export function OperatorsSection({ chat }: { chat: ChatDetails }) {
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: InboxReferenceQuery });
  const [, addOperators] = useMutation(AddChatOperatorsMutation);
  const [, assignOperators] = useMutation(AssignChatOperatorsMutation);
  const { run, error, busy } = useChatAction();
  const [employeeId, setEmployeeId] = useState('');
  const candidates = (data?.employees ?? []).filter((employee) => employee.active);

  return (
    <section className="details__section" aria-labelledby="details-operators">
      <h3 id="details-operators">{t('details.operators')}</h3>
      {chat.operators.length === 0 ? (
        <p className="muted">{t('details.noOperators')}</p>
      ) : (
        <ul className="operators">
          {chat.operators.map((operator) => (
            <li key={operator.id}>{operator.name}</li>
          ))}
        </ul>
      )}
      <div className="operators__pick">
        <select aria-label={t('details.chooseOperator')} value={employeeId} onChange={(event) => setEmployeeId(event.target.value)}>
          <option value="">{t('details.chooseOperator')}</option>
          {candidates.map((employee) => (
            <option key={employee.id} value={employee.id}>
              {employee.name}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="button"
          disabled={!employeeId || busy}
          onClick={() => void run(() => addOperators({ chatId: chat.id, operatorIds: [employeeId] }))}
        >
          {t('details.addOperator')}
        </button>
        <button
          type="button"
          className="button"
          disabled={!employeeId || busy}
          onClick={() => void run(() => assignOperators({ chatId: chat.id, operatorIds: [employeeId] }))}
        >
          {t('details.reassign')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {t('details.actionFailed', { message: error })}
        </p>
      )}
    </section>
  );
}
