import type { ConnectionHealth } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatTimestamp } from '../ui/format-time';

/** One connection's health as its connector reports it: state, last event, backlog, last error. */
export function HealthSummary({ health }: { health: ConnectionHealth | undefined }) {
  const { t, tn, locale } = useI18n();
  if (!health) return <span className="muted">{t('health.unknown')}</span>;
  return (
    <div className="health" data-health-state={health.state}>
      <span className={`health__state health__state--${health.state.toLowerCase()}`}>{t(`health.state.${health.state}`)}</span>
      {health.detail && <span className="muted"> · {health.detail}</span>}
      <div className="health__facts">
        <span>{health.lastEventAt ? t('health.lastEvent', { time: formatTimestamp(health.lastEventAt, locale) }) : t('health.noEvents')}</span>
        {health.backlog > 0 && <span className="health__backlog">{tn('health.backlog', health.backlog)}</span>}
        {health.lastError && (
          <span className="error">
            {t('health.lastError', { error: health.lastError })}
            {health.lastErrorAt && ` (${formatTimestamp(health.lastErrorAt, locale)})`}
          </span>
        )}
      </div>
    </div>
  );
}
