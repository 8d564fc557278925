import { useId, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context';
import type { TextKey } from '../i18n/messages';
import type { ApiError } from './api-error';

/** A labelled control with its problem, if any, announced and tied to it (aria-describedby). */
export function Field(props: { label: string; problem?: TextKey | undefined; children(control: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }): ReactNode }) {
  const { t } = useI18n();
  const id = useId();
  const problemId = `${id}-problem`;
  return (
    <div className="admin-form__field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, 'aria-invalid': Boolean(props.problem), ...(props.problem ? { 'aria-describedby': problemId } : {}) })}
      {props.problem && (
        <span id={problemId} className="error admin-form__problem">
          {t(props.problem)}
        </span>
      )}
    </div>
  );
}

/** The API's refusal, one line per error: what kind (code), which field or reason, and its own message. */
export function ApiErrorMessage({ errors }: { errors: readonly ApiError[] | null }) {
  const { t } = useI18n();
  if (!errors || errors.length === 0) return null;
  return (
    <div className="error admin-form__api-error" role="alert">
      {errors.map((error, index) => {
        const kind = error.code && KNOWN_CODES.has(error.code) ? t(`apiError.${error.code}` as TextKey) : error.code ? `${t('apiError.other')} ${error.code}` : t('apiError.other');
        const where = [error.field && t('apiError.field', { field: error.field }), error.reason && t('apiError.reason', { reason: error.reason })].filter(Boolean).join(', ');
        return (
          <p key={index} data-error-code={error.code ?? undefined}>
            <strong>{kind}</strong>
            {where && ` (${where})`}: {error.message}
          </p>
        );
      })}
    </div>
  );
}

/** Codes with a label of their own; any other code is shown as it is. */
const KNOWN_CODES = new Set(['BAD_USER_INPUT', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'RATE_LIMITED']);

/** A form with a name (for assistive tech and tests), its fields, the API's refusal and its buttons. */
export function AdminForm(props: {
  label: string;
  submitLabel: string;
  busy: boolean;
  errors: readonly ApiError[] | null;
  onSubmit(): void;
  onCancel?: (() => void) | undefined;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form className="admin-form" aria-label={props.label} onSubmit={submit} noValidate>
      {props.children}
      <ApiErrorMessage errors={props.errors} />
      <div className="admin-form__buttons">
        {props.onCancel && (
          <button type="button" className="button" onClick={props.onCancel}>
            {t('details.cancel')}
          </button>
        )}
        <button type="submit" className="button button--primary" disabled={props.busy}>
          {props.submitLabel}
        </button>
      </div>
    </form>
  );
}
