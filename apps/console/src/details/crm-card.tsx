import type { ChatCrm } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { profileLinks } from './crm-profiles';

/**
 * D1 for a linked chat: the contact (or lead) with company, e-mail, phone and social profiles, and
 * "Контакт/Лід/Замовлення" opening the record's page in the CRM when its URL is known.
 */
export function CrmCard({ crm }: { crm: ChatCrm }) {
  const { t } = useI18n();
  const profiles = profileLinks(crm.socialProfiles);
  return (
    <div className="crm-card" data-crm-kind={crm.kind}>
      <dl className="facts">
        {crm.lead && (
          <>
            <dt>{t('crm.kind.LEAD')}</dt>
            <dd>
              <RecordLink url={crm.kind === 'LEAD' ? crm.url : crm.lead.url} text={crm.lead.title} />
            </dd>
          </>
        )}
        {crm.order && (
          <>
            <dt>{t('crm.kind.ORDER')}</dt>
            <dd>
              <RecordLink url={crm.kind === 'ORDER' ? crm.url : crm.order.url} text={crm.order.number} />
            </dd>
          </>
        )}
        <dt>{t('crm.kind.CLIENT')}</dt>
        <dd>
          <RecordLink url={crm.kind === 'CLIENT' ? crm.url : (crm.client?.url ?? null)} text={crm.name} />
          {crm.origin === 'MATCHED' && <span className="muted"> · {t('crm.matched')}</span>}
        </dd>
        {crm.company && (
          <>
            <dt>{t('crm.kind.COMPANY')}</dt>
            <dd>
              <RecordLink url={crm.company.url} text={crm.company.name} />
            </dd>
          </>
        )}
        {crm.email && (
          <>
            <dt>{t('crm.email')}</dt>
            <dd>
              <a href={`mailto:${crm.email}`}>{crm.email}</a>
            </dd>
          </>
        )}
        {crm.phone && (
          <>
            <dt>{t('details.phone')}</dt>
            <dd>
              <a href={`tel:${crm.phone}`}>{crm.phone}</a>
            </dd>
          </>
        )}
        {profiles.length > 0 && (
          <>
            <dt>{t('details.profile')}</dt>
            <dd>
              <ul className="crm-card__profiles">
                {profiles.map((profile) => (
                  <li key={profile.key}>
                    {profile.href ? (
                      <a href={profile.href} target="_blank" rel="noreferrer noopener">
                        {profile.text}
                      </a>
                    ) : (
                      profile.text
                    )}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}

/** A record's page in the CRM when a URL pattern is configured for its kind; its name otherwise. */
function RecordLink({ url, text }: { url: string | null; text: string }) {
  return url ? (
    <a href={url} target="_blank" rel="noreferrer noopener">
      {text}
    </a>
  ) : (
    <>{text}</>
  );
}
