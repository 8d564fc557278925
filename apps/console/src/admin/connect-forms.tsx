import { useState } from 'react';
import { useMutation } from 'urql';
import {
  ConnectBridgeMutation,
  ConnectMetaPageMutation,
  ConnectTelegramBotMutation,
  ConnectViberBotMutation,
  ConnectWhatsAppNumberMutation,
  StartTelegramUserLoginMutation,
  SubmitTelegramUserLoginCodeMutation,
  SubmitTelegramUserLoginPasswordMutation,
  type TelegramUserLogin,
} from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import type { TextKey } from '../i18n/messages';
import { AdminForm, Field } from './admin-form';
import { useAdminAction } from './use-admin-action';
import {
  bridgeProblems,
  hasProblems,
  metaPageProblems,
  telegramBotProblems,
  telegramUserCodeProblems,
  telegramUserPasswordProblems,
  telegramUserPhoneProblems,
  viberBotProblems,
  whatsAppProblems,
  type FormProblems,
} from './validation';

export interface ConnectFormProps {
  onConnected(name: string): void;
  onCancel(): void;
}

/** A form's values by field name, and an input binding per field. */
function useValues<F extends string>(initial: Record<F, string>) {
  const [values, setValues] = useState(initial);
  const [problems, setProblems] = useState<FormProblems<F>>({});
  const bind = (field: F) => ({ value: values[field], onChange: (event: { target: { value: string } }) => setValues((current) => ({ ...current, [field]: event.target.value })) });
  return { values, problems, setProblems, bind };
}

/** Optional text: omitted from the input when blank, so the API applies its default. */
const optional = <K extends string>(key: K, value: string): Partial<Record<K, string>> => (value.trim() ? ({ [key]: value.trim() } as Record<K, string>) : {});

function TextField<F extends string>(props: { label: string; field: F; form: ReturnType<typeof useValues<F>>; secret?: boolean; optional?: boolean }) {
  const { t } = useI18n();
  return (
    <Field label={props.optional ? t('admin.optional', { label: props.label }) : props.label} problem={props.form.problems[props.field] as TextKey | undefined}>
      {(control) => <input {...control} {...props.form.bind(props.field)} type={props.secret ? 'password' : 'text'} autoComplete="off" spellCheck={false} />}
    </Field>
  );
}

export function TelegramBotForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, connect] = useMutation(ConnectTelegramBotMutation);
  const action = useAdminAction();
  const form = useValues({ token: '', displayName: '' });
  const submit = async () => {
    const found = telegramBotProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const data = await action.run(() => connect({ input: { token: form.values.token.trim(), ...optional('displayName', form.values.displayName) } }));
    if (data) onConnected(data.connectTelegramBot.connection.displayName);
  };
  return (
    <AdminForm label={t('conn.connectTitle', { channel: t('channel.TELEGRAM') })} submitLabel={t('conn.connect')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField label={t('conn.telegram.token')} field="token" form={form} secret />
      <TextField label={t('conn.displayName')} field="displayName" form={form} optional />
    </AdminForm>
  );
}

export function ViberBotForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, connect] = useMutation(ConnectViberBotMutation);
  const action = useAdminAction();
  const form = useValues({ token: '', displayName: '', senderName: '', welcomeMessage: '' });
  const submit = async () => {
    const found = viberBotProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const { values } = form;
    const input = { token: values.token.trim(), ...optional('displayName', values.displayName), ...optional('senderName', values.senderName), ...optional('welcomeMessage', values.welcomeMessage) };
    const data = await action.run(() => connect({ input }));
    if (data) onConnected(data.connectViberBot.connection.displayName);
  };
  return (
    <AdminForm label={t('conn.connectTitle', { channel: t('channel.VIBER') })} submitLabel={t('conn.connect')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField label={t('conn.viber.token')} field="token" form={form} secret />
      <TextField label={t('conn.displayName')} field="displayName" form={form} optional />
      <TextField label={t('conn.viber.senderName')} field="senderName" form={form} optional />
      <TextField label={t('conn.viber.welcome')} field="welcomeMessage" form={form} optional />
    </AdminForm>
  );
}

export function WhatsAppForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, connect] = useMutation(ConnectWhatsAppNumberMutation);
  const action = useAdminAction();
  const form = useValues({ phoneNumberId: '', wabaId: '', accessToken: '', appSecret: '', verifyToken: '', displayName: '' });
  const submit = async () => {
    const found = whatsAppProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const { values } = form;
    const input = {
      phoneNumberId: values.phoneNumberId.trim(),
      wabaId: values.wabaId.trim(),
      accessToken: values.accessToken.trim(),
      appSecret: values.appSecret.trim(),
      verifyToken: values.verifyToken.trim(),
      ...optional('displayName', values.displayName),
    };
    const data = await action.run(() => connect({ input }));
    if (data) onConnected(data.connectWhatsAppNumber.connection.displayName);
  };
  return (
    <AdminForm label={t('conn.connectTitle', { channel: t('channel.WHATSAPP') })} submitLabel={t('conn.connect')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField label={t('conn.whatsapp.phoneNumberId')} field="phoneNumberId" form={form} />
      <TextField label={t('conn.whatsapp.wabaId')} field="wabaId" form={form} />
      <TextField label={t('conn.meta.accessToken')} field="accessToken" form={form} secret />
      <TextField label={t('conn.meta.appSecret')} field="appSecret" form={form} secret />
      <TextField label={t('conn.meta.verifyToken')} field="verifyToken" form={form} secret />
      <TextField label={t('conn.displayName')} field="displayName" form={form} optional />
    </AdminForm>
  );
}

export function MetaPageForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, connect] = useMutation(ConnectMetaPageMutation);
  const action = useAdminAction();
  const form = useValues({ pageId: '', instagramAccountId: '', accessToken: '', appSecret: '', verifyToken: '', displayName: '' });
  const submit = async () => {
    const found = metaPageProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const { values } = form;
    const input = {
      pageId: values.pageId.trim(),
      accessToken: values.accessToken.trim(),
      appSecret: values.appSecret.trim(),
      verifyToken: values.verifyToken.trim(),
      ...optional('instagramAccountId', values.instagramAccountId),
      ...optional('displayName', values.displayName),
    };
    const data = await action.run(() => connect({ input }));
    if (data) onConnected(data.connectMetaPage.connection.displayName);
  };
  return (
    <AdminForm label={t('conn.connectTitle', { channel: t('conn.meta.title') })} submitLabel={t('conn.connect')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField label={t('conn.meta.pageId')} field="pageId" form={form} />
      <TextField label={t('conn.meta.instagramAccountId')} field="instagramAccountId" form={form} optional />
      <TextField label={t('conn.meta.accessToken')} field="accessToken" form={form} secret />
      <TextField label={t('conn.meta.appSecret')} field="appSecret" form={form} secret />
      <TextField label={t('conn.meta.verifyToken')} field="verifyToken" form={form} secret />
      <TextField label={t('conn.displayName')} field="displayName" form={form} optional />
    </AdminForm>
  );
}

/** A bridge's secret is shown once, in the answer to connectBridge: the form stays until the admin has it. */
export function BridgeForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, connect] = useMutation(ConnectBridgeMutation);
  const action = useAdminAction();
  const form = useValues({ name: '', outboundUrl: '' });
  const [issued, setIssued] = useState<{ name: string; secret: string; inboundPath: string } | null>(null);
  if (issued) {
    return (
      <div className="admin-form" role="status">
        <p>{t('conn.connected', { name: issued.name })}</p>
        <p>
          {t('conn.bridge.secret')}{' '}
          <code className="admin-secret">{issued.secret}</code>
        </p>
        <p className="muted">{t('conn.bridge.secretNote')}</p>
        <p>{t('conn.bridge.inbound', { path: issued.inboundPath })}</p>
        <div className="admin-form__buttons">
          <button type="button" className="button button--primary" onClick={() => onConnected(issued.name)}>
            {t('admin.saved')}
          </button>
        </div>
      </div>
    );
  }
  const submit = async () => {
    const found = bridgeProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const data = await action.run(() => connect({ input: { name: form.values.name.trim(), outboundUrl: form.values.outboundUrl.trim() } }));
    if (data) setIssued({ name: data.connectBridge.connection.name, secret: data.connectBridge.secret, inboundPath: data.connectBridge.connection.inboundPath });
  };
  return (
    <AdminForm label={t('conn.connectTitle', { channel: t('channel.BRIDGE') })} submitLabel={t('conn.connect')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      <TextField label={t('conn.bridge.name')} field="name" form={form} />
      <TextField label={t('conn.bridge.outboundUrl')} field="outboundUrl" form={form} />
    </AdminForm>
  );
}

const CODE_DELIVERY: Record<string, TextKey> = { app: 'conn.telegramUser.delivery.app', sms: 'conn.telegramUser.delivery.sms' };

/**
 * A Telegram user account logs in in steps: the phone (Telegram sends a code), the code, and the two-step
 * verification password when the account has one. Telegram's refusals (PHONE_CODE_INVALID, FLOOD_WAIT, ...)
 * come back as the API's errors with their reason and are shown at the step that caused them.
 */
export function TelegramUserLoginForm({ onConnected, onCancel }: ConnectFormProps) {
  const { t } = useI18n();
  const [, start] = useMutation(StartTelegramUserLoginMutation);
  const [, submitCode] = useMutation(SubmitTelegramUserLoginCodeMutation);
  const [, submitPassword] = useMutation(SubmitTelegramUserLoginPasswordMutation);
  const action = useAdminAction();
  const form = useValues({ phone: '', displayName: '', code: '', password: '' });
  const [login, setLogin] = useState<TelegramUserLogin | null>(null);
  const label = t('conn.connectTitle', { channel: t('channel.TELEGRAM_USER') });

  const advance = (next: TelegramUserLogin | undefined) => {
    if (!next) return;
    if (next.step === 'DONE' && next.connection) onConnected(next.connection.displayName);
    else setLogin(next);
  };

  if (!login) {
    const submit = async () => {
      const found = telegramUserPhoneProblems(form.values);
      form.setProblems(found);
      if (hasProblems(found)) return;
      const data = await action.run(() => start({ input: { phone: form.values.phone.trim(), ...optional('displayName', form.values.displayName) } }));
      advance(data?.startTelegramUserLogin);
    };
    return (
      <AdminForm label={label} submitLabel={t('conn.telegramUser.sendCode')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
        <TextField label={t('conn.telegramUser.phone')} field="phone" form={form} />
        <TextField label={t('conn.displayName')} field="displayName" form={form} optional />
      </AdminForm>
    );
  }
  if (login.step === 'CODE') {
    const submit = async () => {
      const found = telegramUserCodeProblems(form.values);
      form.setProblems(found);
      if (hasProblems(found)) return;
      const data = await action.run(() => submitCode({ input: { loginId: login.id, code: form.values.code.trim() } }));
      advance(data?.submitTelegramUserLoginCode);
    };
    const delivery = t(CODE_DELIVERY[login.codeDelivery ?? ''] ?? 'conn.telegramUser.delivery.other');
    return (
      <AdminForm label={label} submitLabel={t('conn.telegramUser.confirm')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
        <p>{t('conn.telegramUser.codeSent', { phone: login.phone, delivery })}</p>
        <TextField label={t('conn.telegramUser.code')} field="code" form={form} />
      </AdminForm>
    );
  }
  const submit = async () => {
    const found = telegramUserPasswordProblems(form.values);
    form.setProblems(found);
    if (hasProblems(found)) return;
    const data = await action.run(() => submitPassword({ input: { loginId: login.id, password: form.values.password } }));
    advance(data?.submitTelegramUserLoginPassword);
  };
  return (
    <AdminForm label={label} submitLabel={t('conn.telegramUser.confirm')} busy={action.busy} errors={action.errors} onSubmit={() => void submit()} onCancel={onCancel}>
      {login.passwordHint && <p className="muted">{t('conn.telegramUser.passwordHint', { hint: login.passwordHint })}</p>}
      <TextField label={t('conn.telegramUser.password')} field="password" form={form} secret />
    </AdminForm>
  );
}
