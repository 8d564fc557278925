import type { DeliveryState } from '../graphql/schema-types';
import { useI18n } from '../i18n/i18n-context';

// Plain glyphs every system font has (an emoji font is not a given on operators' machines or CI).
const MARK: Record<DeliveryState, string> = { PENDING: '…', SENT: '✓', DELIVERED: '✓✓', READ: '✓✓', FAILED: '!' };

/** C11: where an outgoing message is (sending, sent, delivered, read) or why it failed. */
export function DeliveryTicks({ state, failure }: { state: DeliveryState; failure: { code: string; message: string } | null }) {
  const { t } = useI18n();
  const label = state === 'FAILED' ? t('delivery.FAILED', { reason: failure?.message ?? failure?.code ?? '?' }) : t(`delivery.${state}`);
  return (
    <span className={`delivery delivery--${state.toLowerCase()}`} title={label} data-delivery-state={state}>
      <span aria-hidden="true">{MARK[state]}</span>
      <span className={state === 'FAILED' ? 'delivery__reason' : 'visually-hidden'}>{label}</span>
    </span>
  );
}
