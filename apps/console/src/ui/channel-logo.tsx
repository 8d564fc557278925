import type { Channel } from '../graphql/schema-types';
import { useI18n } from '../i18n/i18n-context';

/** Brand colour and short mark per messenger: enough to tell sources apart at a glance in a dense list. */
const LOOK: Record<Channel, { color: string; mark: string }> = {
  TELEGRAM: { color: '#229ED9', mark: 'TG' },
  TELEGRAM_USER: { color: '#1B7FB0', mark: 'T#' },
  VIBER: { color: '#7360F2', mark: 'VB' },
  WHATSAPP: { color: '#25D366', mark: 'WA' },
  MESSENGER: { color: '#0084FF', mark: 'M' },
  INSTAGRAM: { color: '#E1306C', mark: 'IG' },
  INSTAGRAM_COMMENTS: { color: '#C13584', mark: 'IG' },
  FACEBOOK_COMMENTS: { color: '#1877F2', mark: 'FB' },
  BRIDGE: { color: '#6B7280', mark: '⇄' },
};

/** `decorative`: the messenger's name is written next to the logo, so screen readers skip the logo. */
export function ChannelLogo({ channel, size = 28, decorative = false }: { channel: Channel; size?: number; decorative?: boolean }) {
  const { t } = useI18n();
  const look = LOOK[channel];
  const label = t(`channel.${channel}`);
  const a11y = decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': label };
  return (
    <svg className="channel-logo" width={size} height={size} viewBox="0 0 32 32" {...a11y}>
      {!decorative && <title>{label}</title>}
      <circle cx="16" cy="16" r="16" fill={look.color} />
      <text x="16" y="20.5" textAnchor="middle" fontSize="12" fontWeight="700" fill="#fff" fontFamily="system-ui, sans-serif">
        {look.mark}
      </text>
    </svg>
  );
}
