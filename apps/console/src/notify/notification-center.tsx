import { useReducer, useState } from 'react';
import { useI18n } from '../i18n/i18n-context';
import { useLiveChatEvents, useLiveReminderEvents } from '../live/live-context';
import { chatPath, navigate, useLocation } from '../routing/router';
import { browserNotificationsSupported, showBrowserNotification } from './browser-notification';
import { newChatNotice, noticesReducer, reminderNotice, type Notice } from './notices';

/** A new chat is a heads-up; a reminder stays until the operator dismisses it. */
const CHAT_NOTICE_MS = 15_000;

/** Reminders that fire and chats that arrive, shown in the page (and by the browser when allowed). */
export function NotificationCenter() {
  const { t } = useI18n();
  const { search } = useLocation();
  const [notices, dispatch] = useReducer(noticesReducer, []);
  const open = (chatId: string) => navigate(chatPath(chatId, search));

  const titleOf = (notice: Notice) =>
    notice.kind === 'reminder'
      ? notice.chatNumber !== null
        ? t('notify.reminderAbout', { number: notice.chatNumber })
        : t('notify.reminder')
      : t('notify.newChat', { number: notice.chatNumber ?? '?' });
  const bodyOf = (notice: Notice) => (notice.kind === 'reminder' ? notice.text : (notice.customer ?? ''));

  const add = (notice: Notice | null) => {
    if (!notice) return;
    dispatch({ type: 'add', notice });
    showBrowserNotification(titleOf(notice), bodyOf(notice), () => notice.chatId && open(notice.chatId));
    if (notice.kind === 'chat') setTimeout(() => dispatch({ type: 'dismiss', key: notice.key }), CHAT_NOTICE_MS);
  };
  useLiveReminderEvents((event) => add(reminderNotice(event)));
  useLiveChatEvents((event) => add(newChatNotice(event)));

  return (
    <section className="notices" aria-label={t('notify.region')} aria-live="assertive">
      {notices.map((notice) => (
        <article key={notice.key} className={`notice notice--${notice.kind}`} role={notice.kind === 'reminder' ? 'alert' : 'status'}>
          <p className="notice__title">{titleOf(notice)}</p>
          {bodyOf(notice) && <p className="notice__body">{bodyOf(notice)}</p>}
          <div className="notice__buttons">
            {notice.chatId && (
              <button
                type="button"
                className="button button--link"
                onClick={() => {
                  open(notice.chatId!);
                  dispatch({ type: 'dismiss', key: notice.key });
                }}
              >
                {t('notify.open')}
              </button>
            )}
            <button type="button" className="button button--link" onClick={() => dispatch({ type: 'dismiss', key: notice.key })}>
              {t('notify.dismiss')}
            </button>
          </div>
        </article>
      ))}
    </section>
  );
}

/** Asks for the browser's permission once the operator wants it (browsers refuse to ask unprompted). */
export function BrowserNotificationsButton() {
  const { t } = useI18n();
  const [permission, setPermission] = useState(() => (browserNotificationsSupported() ? Notification.permission : 'denied'));
  if (permission !== 'default') return null;
  return (
    <button type="button" className="button button--link" onClick={() => void Notification.requestPermission().then(setPermission)}>
      {t('notify.enable')}
    </button>
  );
}
