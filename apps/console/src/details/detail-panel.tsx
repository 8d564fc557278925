import type { ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { PlanningSection } from '../planning/planning-section';
import { ChatActionsSection } from './chat-actions-section';
import { CrmSection } from './crm-section';
import { CustomerCard } from './customer-card';
import { OperatorsSection } from './operators-section';

/** "Додаткова інформація" (D1-D3), opened by "Детальна інформація". */
export function DetailPanel({ chat, onClose, onDeleted }: { chat: ChatDetails; onClose(): void; onDeleted(): void }) {
  const { t } = useI18n();
  return (
    <aside className="details" aria-labelledby="details-title">
      <header className="details__header">
        <h2 id="details-title">{t('details.title')}</h2>
        <button type="button" className="button button--link" onClick={onClose} aria-label={t('details.close')}>
          ✕
        </button>
      </header>
      <CustomerCard chat={chat} />
      <CrmSection chat={chat} />
      <OperatorsSection chat={chat} />
      <PlanningSection chat={chat} />
      <ChatActionsSection chat={chat} onDeleted={onDeleted} />
    </aside>
  );
}
