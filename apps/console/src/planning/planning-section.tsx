import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation } from 'urql';
import { useChatAction } from '../chat/use-chat-action';
import { CreateEventMutation, CreateReminderMutation, CreateTaskMutation, type ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import type { TextKey } from '../i18n/messages';
import { formatTimestamp } from '../ui/format-time';
import { defaultStart, fromLocalInput, toLocalInput } from './local-time';

type Kind = 'task' | 'event' | 'reminder';

const OPEN_LABEL: Record<Kind, TextKey> = { task: 'plan.task', event: 'plan.event', reminder: 'plan.reminder' };
const HOUR_MS = 3_600_000;

/**
 * D2 "Нове завдання", "Додати нову подію", "Додати нове нагадування": small forms that create the item
 * about this chat (it then shows in "Мої завдання" / "Нагадування"; a reminder fires in this page).
 */
export function PlanningSection({ chat }: { chat: ChatDetails }) {
  const { t } = useI18n();
  const [open, setOpen] = useState<Kind | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const done = (message: string) => {
    setOpen(null);
    setCreated(message);
  };
  return (
    <section className="details__section details__planning" aria-labelledby="details-planning">
      <h3 id="details-planning" className="visually-hidden">
        {t('plan.heading')}
      </h3>
      <div className="details__actions">
        {(Object.keys(OPEN_LABEL) as Kind[]).map((kind) => (
          <button
            key={kind}
            type="button"
            className="button"
            aria-expanded={open === kind}
            onClick={() => {
              setCreated(null);
              setOpen((current) => (current === kind ? null : kind));
            }}
          >
            {t(OPEN_LABEL[kind])}
          </button>
        ))}
      </div>
      {open === 'task' && <TaskForm chat={chat} onCreated={done} onCancel={() => setOpen(null)} />}
      {open === 'event' && <EventForm chat={chat} onCreated={done} onCancel={() => setOpen(null)} />}
      {open === 'reminder' && <ReminderForm chat={chat} onCreated={done} onCancel={() => setOpen(null)} />}
      {created && (
        <p className="success" role="status">
          {created}
        </p>
      )}
    </section>
  );
}

interface FormProps {
  chat: ChatDetails;
  onCreated(message: string): void;
  onCancel(): void;
}

function TaskForm({ chat, onCreated, onCancel }: FormProps) {
  const { t } = useI18n();
  const [, createTask] = useMutation(CreateTaskMutation);
  const action = useChatAction();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = async () => {
    const dueAt = due ? fromLocalInput(due) : null;
    if (due && !dueAt) return setInvalid(t('plan.badTime'));
    setInvalid(null);
    const data = await action.run(() => createTask({ input: { chatId: chat.id, title: title.trim(), ...(dueAt ? { dueAt } : {}) } }));
    if (data) onCreated(t('plan.taskCreated', { title: data.createTask.title }));
  };
  return (
    <PlanningForm label={t('plan.task')} busy={action.busy} error={invalid ?? action.error} onSubmit={submit} onCancel={onCancel} canSubmit={title.trim() !== ''}>
      <Field label={t('plan.title')}>
        <input required maxLength={500} value={title} onChange={(event) => setTitle(event.target.value)} autoFocus />
      </Field>
      <Field label={t('plan.dueAt')}>
        <input type="datetime-local" step={1} value={due} onChange={(event) => setDue(event.target.value)} />
      </Field>
    </PlanningForm>
  );
}

function EventForm({ chat, onCreated, onCancel }: FormProps) {
  const { t, locale } = useI18n();
  const [, createEvent] = useMutation(CreateEventMutation);
  const action = useChatAction();
  const [title, setTitle] = useState('');
  const [starts, setStarts] = useState(() => toLocalInput(defaultStart(new Date(), 60)));
  const [ends, setEnds] = useState(() => toLocalInput(new Date(defaultStart(new Date(), 60).getTime() + HOUR_MS)));
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = async () => {
    const startsAt = fromLocalInput(starts);
    const endsAt = fromLocalInput(ends);
    if (!startsAt || !endsAt) return setInvalid(t('plan.badTime'));
    if (Date.parse(endsAt) < Date.parse(startsAt)) return setInvalid(t('plan.endsBeforeStart'));
    setInvalid(null);
    const data = await action.run(() => createEvent({ input: { chatId: chat.id, title: title.trim(), startsAt, endsAt } }));
    if (data) onCreated(t('plan.eventCreated', { title: data.createEvent.title, time: formatTimestamp(data.createEvent.startsAt, locale) }));
  };
  return (
    <PlanningForm label={t('plan.event')} busy={action.busy} error={invalid ?? action.error} onSubmit={submit} onCancel={onCancel} canSubmit={title.trim() !== ''}>
      <Field label={t('plan.title')}>
        <input required maxLength={500} value={title} onChange={(event) => setTitle(event.target.value)} autoFocus />
      </Field>
      <Field label={t('plan.startsAt')}>
        <input type="datetime-local" step={1} required value={starts} onChange={(event) => setStarts(event.target.value)} />
      </Field>
      <Field label={t('plan.endsAt')}>
        <input type="datetime-local" step={1} required value={ends} onChange={(event) => setEnds(event.target.value)} />
      </Field>
    </PlanningForm>
  );
}

function ReminderForm({ chat, onCreated, onCancel }: FormProps) {
  const { t, locale } = useI18n();
  const [, createReminder] = useMutation(CreateReminderMutation);
  const action = useChatAction();
  const [text, setText] = useState('');
  const [fire, setFire] = useState(() => toLocalInput(defaultStart(new Date(), 15)));
  const [invalid, setInvalid] = useState<string | null>(null);
  const submit = async () => {
    const fireAt = fromLocalInput(fire);
    if (!fireAt) return setInvalid(t('plan.badTime'));
    setInvalid(null);
    const data = await action.run(() => createReminder({ input: { chatId: chat.id, text: text.trim(), fireAt } }));
    if (data) onCreated(t('plan.reminderCreated', { time: formatTimestamp(data.createReminder.fireAt, locale) }));
  };
  return (
    <PlanningForm label={t('plan.reminder')} busy={action.busy} error={invalid ?? action.error} onSubmit={submit} onCancel={onCancel} canSubmit={text.trim() !== ''}>
      <Field label={t('plan.text')}>
        <textarea required maxLength={1000} rows={2} value={text} onChange={(event) => setText(event.target.value)} autoFocus />
      </Field>
      <Field label={t('plan.fireAt')}>
        <input type="datetime-local" step={1} required value={fire} onChange={(event) => setFire(event.target.value)} />
      </Field>
    </PlanningForm>
  );
}

function PlanningForm(props: { label: string; busy: boolean; canSubmit: boolean; error: string | null; onSubmit(): Promise<void>; onCancel(): void; children: ReactNode }) {
  const { t } = useI18n();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void props.onSubmit();
  };
  return (
    <form className="planning-form" aria-label={props.label} onSubmit={submit}>
      {props.children}
      {props.error && (
        <p className="error" role="alert">
          {t('plan.failed', { message: props.error })}
        </p>
      )}
      <div className="planning-form__buttons">
        <button type="button" className="button" onClick={props.onCancel}>
          {t('details.cancel')}
        </button>
        <button type="submit" className="button button--primary" disabled={props.busy || !props.canSubmit}>
          {t('plan.create')}
        </button>
      </div>
    </form>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="planning-form__field">
      <span>{label}</span>
      {children}
    </label>
  );
}
