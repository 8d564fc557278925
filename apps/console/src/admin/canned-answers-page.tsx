import { useRef, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ConfirmDialog } from '../details/confirm-dialog';
import { CannedAnswersAdminQuery, CreateCannedAnswerMutation, DeleteCannedAnswerMutation, UpdateCannedAnswerMutation, type CannedAnswerRow } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { AdminForm, ApiErrorMessage, Field } from './admin-form';
import { apiErrors } from './api-error';
import { insertAt } from './text-insert';
import { useAdminAction } from './use-admin-action';
import { cannedAnswerProblems, hasProblems, type FormProblems } from './validation';

interface Variable {
  name: string;
  description: string;
}

/**
 * C8's canned answers: the admin's personal set and the shared set everyone uses. Bodies may use only the
 * variables the API lists; a body naming another is refused by the API, and that refusal is shown as is.
 */
export function CannedAnswersPage() {
  const { t, tn } = useI18n();
  const [{ data, error, fetching }] = useQuery({ query: CannedAnswersAdminQuery });
  const answers = data?.cannedAnswers ?? [];
  const variables = data?.cannedAnswerVariables ?? [];
  const [adding, setAdding] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const groups = [
    { key: 'shared', title: t('ca.shared'), answers: answers.filter((answer) => answer.shared) },
    { key: 'personal', title: t('ca.personal'), answers: answers.filter((answer) => !answer.shared) },
  ];
  return (
    <div className="admin-page">
      <div className="admin-page__toolbar">
        <button
          type="button"
          className="button button--primary"
          aria-expanded={adding}
          onClick={() => {
            setSaved(null);
            setAdding((open) => !open);
          }}
        >
          {t('ca.add')}
        </button>
      </div>
      {adding && (
        <section className="admin-section">
          <CannedAnswerForm
            label={t('ca.add')}
            variables={variables}
            onSaved={(shortcode) => {
              setAdding(false);
              setSaved(t('ca.created', { shortcode }));
            }}
            onCancel={() => setAdding(false)}
          />
        </section>
      )}
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      {error && <ApiErrorMessage errors={apiErrors(error)} />}
      {fetching && !data && <p className="muted">{t('admin.loading')}</p>}
      {groups.map((group) => (
        <section key={group.key} className="admin-section" aria-labelledby={`canned-${group.key}`}>
          <header className="admin-section__header">
            <h2 id={`canned-${group.key}`}>{group.title}</h2>
            <span className="admin-section__count muted">{tn('ca.count', group.answers.length)}</span>
          </header>
          {data && group.answers.length === 0 && <p className="muted">{t('ca.none')}</p>}
          <ul className="canned-admin">
            {group.answers.map((answer) => (
              <CannedAnswerItem key={answer.id} answer={answer} variables={variables} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}

function CannedAnswerItem({ answer, variables }: { answer: CannedAnswerRow; variables: readonly Variable[] }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [, remove] = useMutation(DeleteCannedAnswerMutation);
  const action = useAdminAction();
  if (editing) {
    return (
      <li className="canned-admin__item">
        <CannedAnswerForm label={t('ca.editLabel', { shortcode: answer.shortcode })} answer={answer} variables={variables} onSaved={() => setEditing(false)} onCancel={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="canned-admin__item" data-shortcode={answer.shortcode}>
      <div className="canned-admin__text">
        <strong>/{answer.shortcode}</strong> {answer.title}
        <p className="canned-admin__body">{answer.body}</p>
      </div>
      <div className="admin-table__buttons">
        <button type="button" className="button" aria-label={t('ca.editLabel', { shortcode: answer.shortcode })} onClick={() => setEditing(true)}>
          {t('admin.edit')}
        </button>
        <button type="button" className="button button--danger" aria-label={t('ca.deleteLabel', { shortcode: answer.shortcode })} disabled={action.busy} onClick={() => setConfirming(true)}>
          {t('admin.delete')}
        </button>
      </div>
      <ApiErrorMessage errors={action.errors} />
      {confirming && (
        <ConfirmDialog
          message={t('ca.deleteConfirm', { shortcode: answer.shortcode })}
          confirmLabel={t('details.confirmDelete')}
          cancelLabel={t('details.cancel')}
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            setConfirming(false);
            void action.run(() => remove({ id: answer.id }));
          }}
        />
      )}
    </li>
  );
}

function CannedAnswerForm(props: { label: string; answer?: CannedAnswerRow; variables: readonly Variable[]; onSaved(shortcode: string): void; onCancel(): void }) {
  const { t } = useI18n();
  const [, create] = useMutation(CreateCannedAnswerMutation);
  const [, update] = useMutation(UpdateCannedAnswerMutation);
  const action = useAdminAction();
  const [shortcode, setShortcode] = useState(props.answer?.shortcode ?? '');
  const [title, setTitle] = useState(props.answer?.title ?? '');
  const [body, setBody] = useState(props.answer?.body ?? '');
  const [shared, setShared] = useState(props.answer?.shared ?? false);
  const [problems, setProblems] = useState<FormProblems<'shortcode' | 'title' | 'body'>>({});
  const bodyInput = useRef<HTMLTextAreaElement>(null);

  const submit = async () => {
    const input = { shortcode: shortcode.trim(), title: title.trim(), body };
    const found = cannedAnswerProblems(input);
    setProblems(found);
    if (hasProblems(found)) return;
    const id = props.answer?.id;
    const data = id ? await action.run(() => update({ input: { id, ...input } })) : await action.run(() => create({ input: { ...input, shared } }));
    if (data) props.onSaved(input.shortcode);
  };

  const insert = (name: string) => {
    const element = bodyInput.current;
    const { text, caret } = insertAt(body, `{{${name}}}`, element?.selectionStart ?? body.length, element?.selectionEnd ?? body.length);
    setBody(text);
    // After React wrote the new value: put the caret after the inserted variable.
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(caret, caret);
    });
  };

  return (
    <AdminForm label={props.label} submitLabel={t('admin.save')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={props.onCancel}>
      <Field label={t('ca.shortcode')} problem={problems.shortcode}>
        {(control) => <input {...control} value={shortcode} maxLength={32} onChange={(event) => setShortcode(event.target.value)} />}
      </Field>
      <Field label={t('ca.title')} problem={problems.title}>
        {(control) => <input {...control} value={title} maxLength={100} onChange={(event) => setTitle(event.target.value)} />}
      </Field>
      <Field label={t('ca.body')} problem={problems.body}>
        {(control) => <textarea {...control} ref={bodyInput} rows={4} value={body} maxLength={4096} onChange={(event) => setBody(event.target.value)} />}
      </Field>
      <fieldset className="canned-admin__variables">
        <legend>{t('ca.variables')}</legend>
        {props.variables.map((variable) => (
          <button
            key={variable.name}
            type="button"
            className="button button--link"
            title={variable.description}
            aria-label={t('ca.insert', { variable: `{{${variable.name}}}` })}
            onClick={() => insert(variable.name)}
          >
            {`{{${variable.name}}}`}
          </button>
        ))}
      </fieldset>
      {!props.answer && (
        <label className="admin-form__check">
          <input type="checkbox" checked={shared} onChange={(event) => setShared(event.target.checked)} />
          {t('ca.sharedToggle')}
        </label>
      )}
    </AdminForm>
  );
}
