import { useI18n } from '../i18n/i18n-context';
import { NotificationCenter } from '../notify/notification-center';
import { chatIdOf, useLocation } from '../routing/router';
import { ChatView } from '../chat/chat-view';
import { AppHeader } from '../ui/app-header';
import { InboxPanel } from './inbox-panel';

/** "Месенджери": the chat list beside the open chat. */
export function MessengersPage() {
  const { t } = useI18n();
  const { pathname } = useLocation();
  const chatId = chatIdOf(pathname);
  return (
    <div className="app">
      <AppHeader />
      <main className="messengers">
        <InboxPanel selectedChatId={chatId} />
        {chatId ? (
          <ChatView key={chatId} chatId={chatId} />
        ) : (
          <section className="chat-view chat-view--empty">
            <p>{t('list.selectChat')}</p>
          </section>
        )}
      </main>
      <NotificationCenter />
    </div>
  );
}
