import { useState, type KeyboardEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { SendTemplateMessageMutation, WhatsAppTemplatesQuery, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { renderTemplate, templateKey, templateParameters, templatePlaceholders } from './whatsapp-template';

/**
 * "Надіслати шаблон": WhatsApp accepts only an approved template once the customer's 24-hour window has
 * closed. The operator picks one of the number's approved templates, fills its {{n}} parameters, sees the
 * text as the customer will, and sends it. Rendered inside the reply box's form, so it is a group of plain
 * buttons, not a form of its own.
 */
export function TemplatePicker({ chat, onSent, onClose }: { chat: ChatDetails; onSent(): void; onClose(): void }) {
  const { t } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: WhatsAppTemplatesQuery, variables: { connectionId: chat.source.connectionId } });
  const [{ fetching: sending }, send] = useMutation(SendTemplateMessageMutation);
  const [chosen, setChosen] = useState('');
  const [values, setValues] = useState<Record<number, string>>({});
  const [notice, setNotice] = useState<string | null>(null);
  const templates = data?.whatsAppTemplates ?? [];
  const template = templates.find((candidate) => templateKey(candidate) === chosen);
  const body = template?.body ?? null;
  const placeholders = templatePlaceholders(body);
  // A template without a body text (media or buttons only) is shown in the inbox by its name.
  const preview = template ? renderTemplate(body, values) || `[${template.name}]` : '';

  const submit = async () => {
    if (!template || sending) return;
    const { parameters, missing } = templateParameters(body, values);
    if (missing.length > 0) {
      setNotice(t('template.missing', { placeholders: missing.map((number) => `{{${number}}}`).join(', ') }));
      return;
    }
    setNotice(null);
    const result = await send({
      input: { chatId: chat.id, name: template.name, language: template.language, bodyParameters: parameters, text: preview },
    });
    if (result.error) {
      setNotice(t('reply.failed', { message: result.error.graphQLErrors[0]?.message ?? result.error.message }));
      return;
    }
    onSent();
  };

  // Enter in a parameter would submit the surrounding reply form, which refuses free text here anyway.
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    void submit();
  };

  return (
    <section className="template-picker" aria-label={t('template.title')}>
      <label className="template-picker__field">
        <span>{t('template.choose')}</span>
        <select
          value={chosen}
          onChange={(event) => {
            setChosen(event.target.value);
            setValues({});
            setNotice(null);
          }}
        >
          <option value="">{fetching ? t('template.loading') : t('template.none')}</option>
          {templates.map((candidate) => (
            <option key={candidate.id} value={templateKey(candidate)}>
              {candidate.name} · {candidate.language}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="reply-box__notice" role="alert">
          {t('template.loadFailed', { message: error.graphQLErrors[0]?.message ?? error.message })}
        </p>
      )}
      {!fetching && !error && templates.length === 0 && <p className="template-picker__empty">{t('template.noneApproved')}</p>}
      {template &&
        placeholders.map((number) => (
          <label key={number} className="template-picker__field">
            <span>{`{{${number}}}`}</span>
            <input
              type="text"
              value={values[number] ?? ''}
              maxLength={1024}
              onChange={(event) => setValues((current) => ({ ...current, [number]: event.target.value }))}
              onKeyDown={onKeyDown}
            />
          </label>
        ))}
      {template && (
        <figure className="template-picker__preview">
          <figcaption>{t('template.preview')}</figcaption>
          <p className="bubble__text" data-template-preview>
            {preview}
          </p>
        </figure>
      )}
      {notice && (
        <p className="reply-box__notice" role="alert">
          {notice}
        </p>
      )}
      <div className="reply-box__tools">
        <button type="button" className="button" onClick={onClose}>
          {t('template.cancel')}
        </button>
        <span className="reply-box__spacer" />
        <button type="button" className="button button--primary" disabled={!template || sending} onClick={() => void submit()}>
          {t('template.send')}
        </button>
      </div>
    </section>
  );
}
