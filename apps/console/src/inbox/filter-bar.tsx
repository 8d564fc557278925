import { useQuery } from 'urql';
import { InboxReferenceQuery } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { CHANNELS, EMPTY_FILTERS, toggleChoice, type ChatFilterState } from '../routing/chat-filters';
import { ChannelLogo } from '../ui/channel-logo';
import { ChoiceGroup } from './choice-group';
import { SearchField } from './search-field';

/** The filter bar (L1-L6): search always visible, the rest behind "Фільтри". */
export function FilterBar({ filters, onChange, totalLabel }: { filters: ChatFilterState; onChange(next: ChatFilterState): void; totalLabel: string }) {
  const { t } = useI18n();
  const [{ data }] = useQuery({ query: InboxReferenceQuery });
  const active = filters.channels.length + filters.operatorIds.length + filters.statusCodes.length;
  return (
    <div className="filter-bar">
      <div className="filter-bar__row">
        <SearchField value={filters.search} onChange={(search) => onChange({ ...filters, search })} />
        <button
          type="button"
          className="button"
          aria-expanded={filters.expanded}
          aria-controls="filter-block"
          onClick={() => onChange({ ...filters, expanded: !filters.expanded })}
        >
          {t('filters.toggle')}
          {active > 0 && <span className="badge badge--muted">{active}</span>}
        </button>
      </div>
      {filters.expanded && (
        <div id="filter-block" className="filter-block">
          <ChoiceGroup
            legend={t('filters.messengers')}
            choices={CHANNELS.map((channel) => ({
              value: channel,
              label: (
                <>
                  <ChannelLogo channel={channel} size={18} decorative /> {t(`channel.${channel}`)}
                </>
              ),
            }))}
            selected={filters.channels}
            onToggle={(channel) => onChange({ ...filters, channels: toggleChoice(filters.channels, channel) })}
          />
          <ChoiceGroup
            legend={t('filters.operators')}
            choices={(data?.employees ?? []).filter((e) => e.active).map((employee) => ({ value: employee.id, label: employee.name }))}
            selected={filters.operatorIds}
            onToggle={(id) => onChange({ ...filters, operatorIds: toggleChoice(filters.operatorIds, id) })}
          />
          <ChoiceGroup
            legend={t('filters.statuses')}
            choices={(data?.chatStatuses ?? []).map((status) => ({ value: status.code, label: status.name }))}
            selected={filters.statusCodes}
            onToggle={(code) => onChange({ ...filters, statusCodes: toggleChoice(filters.statusCodes, code) })}
          />
          <button type="button" className="button button--link" onClick={() => onChange({ ...EMPTY_FILTERS, expanded: true })}>
            {t('filters.reset')}
          </button>
        </div>
      )}
      <p className="filter-bar__total" aria-live="polite">
        {totalLabel}
      </p>
    </div>
  );
}
