import type { ChatDetails } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { ChannelLogo } from '../ui/channel-logo';

/** D1: what the network tells about the customer, and which company page or bot they wrote to. */
export function CustomerCard({ chat }: { chat: ChatDetails }) {
  const { t } = useI18n();
  const { customer, source } = chat;
  return (
    <section className="details__section" aria-labelledby="details-customer">
      <h3 id="details-customer">{t('details.customer')}</h3>
      <dl className="facts">
        <dt>{t('details.customer')}</dt>
        <dd>{customer.displayName}</dd>
        {customer.username && (
          <>
            <dt>{t('details.username')}</dt>
            <dd>@{customer.username}</dd>
          </>
        )}
        {customer.phone && (
          <>
            <dt>{t('details.phone')}</dt>
            <dd>
              <a href={`tel:${customer.phone}`}>{customer.phone}</a>
            </dd>
          </>
        )}
        {customer.profileUrl && (
          <>
            <dt>{t('details.profile')}</dt>
            <dd>
              <a href={customer.profileUrl} target="_blank" rel="noreferrer noopener">
                {customer.profileUrl}
              </a>
            </dd>
          </>
        )}
        <dt>{t('details.source')}</dt>
        <dd>
          <ChannelLogo channel={source.channel} size={16} decorative /> {source.displayName}
        </dd>
      </dl>
    </section>
  );
}
