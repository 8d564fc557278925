import { useEffect, useState, type KeyboardEvent } from 'react';
import { useQuery } from 'urql';
import { CannedAnswersQuery } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';

export interface CannedAnswerChoice {
  id: string;
  shortcode: string;
  title: string;
}

/** C8 "Вставити готову відповідь": the operator's and the shared answers matching what follows "/". */
export function CannedAnswerPicker({ query, onPick, onClose }: { query: string; onPick(answer: CannedAnswerChoice): void; onClose(): void }) {
  const { t } = useI18n();
  const [{ data, fetching }] = useQuery({ query: CannedAnswersQuery, variables: { query: query || null } });
  const answers = data?.cannedAnswers ?? [];
  const [active, setActive] = useState(0);
  useEffect(() => {
    setActive(0);
  }, [query]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onClose();
    else if (event.key === 'ArrowDown') setActive((i) => Math.min(answers.length - 1, i + 1));
    else if (event.key === 'ArrowUp') setActive((i) => Math.max(0, i - 1));
    else if (event.key === 'Enter' && answers[active]) onPick(answers[active]!);
    else return;
    event.preventDefault();
  };

  return (
    <div className="canned-picker" role="listbox" aria-label={t('reply.canned')} tabIndex={-1} onKeyDown={onKeyDown}>
      {!fetching && answers.length === 0 && <p className="canned-picker__empty">{t('reply.cannedEmpty')}</p>}
      {answers.map((answer, index) => (
        <button
          key={answer.id}
          type="button"
          role="option"
          aria-selected={index === active}
          className="canned-picker__option"
          onMouseEnter={() => setActive(index)}
          onClick={() => onPick(answer)}
        >
          <strong>/{answer.shortcode}</strong> {answer.title}
          <span className="canned-picker__body">{answer.body}</span>
        </button>
      ))}
    </div>
  );
}

/** The "/shortcode" being typed at the start of the reply, if any. */
export function slashQuery(text: string): string | null {
  const match = /^\/(\S*)$/.exec(text);
  return match ? match[1]! : null;
}
