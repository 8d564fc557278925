import type { ChannelKind } from '../channel';

/**
 * When a business may write to a customer, per channel: the one definition every service reads (the
 * chat service to answer `replyWindow` and to refuse sends, connectors to explain platform errors).
 * Sources: shared/CHANNELS.md sections 4-6 (WhatsApp 24-hour customer-service window, templates outside
 * it; Messenger/Instagram 24 hours, HUMAN_AGENT tag up to 7 days).
 */
export type ReplyWindowPolicy =
  /** Free text at any time (Telegram, Viber, bridge, public comment replies). */
  | { kind: 'unlimited' }
  /** Free text for `freeTextHours` after the customer's last message; afterwards only `outside` is allowed. */
  | { kind: 'customer-service-window'; freeTextHours: number; outside: readonly ReplyAlternativeRule[] };

/** What may still be sent when free text may not. */
export type ReplyAlternativeRule =
  /** Pre-approved message templates, at any time (WhatsApp). */
  | { kind: 'template' }
  /** Free text marked with a message tag, until `withinHours` after the customer's last message. */
  | { kind: 'message-tag'; tag: 'HUMAN_AGENT'; withinHours: number };

const HOUR_MS = 3_600_000;

const MESSENGER_LIKE: ReplyWindowPolicy = {
  kind: 'customer-service-window',
  freeTextHours: 24,
  outside: [{ kind: 'message-tag', tag: 'HUMAN_AGENT', withinHours: 7 * 24 }],
};

export const REPLY_WINDOW_POLICIES: Readonly<Record<ChannelKind, ReplyWindowPolicy>> = {
  telegram: { kind: 'unlimited' },
  'telegram-user': { kind: 'unlimited' },
  viber: { kind: 'unlimited' },
  bridge: { kind: 'unlimited' },
  whatsapp: { kind: 'customer-service-window', freeTextHours: 24, outside: [{ kind: 'template' }] },
  messenger: MESSENGER_LIKE,
  instagram: MESSENGER_LIKE,
  // Public replies under a comment have no window; private-reply limits are the comment connector's rule.
  'facebook-comments': { kind: 'unlimited' },
  'instagram-comments': { kind: 'unlimited' },
};

/** An alternative that is usable right now, with the time it stops being usable (null: no limit). */
export type ReplyAlternative =
  | { kind: 'template'; until: Date | null }
  | { kind: 'message-tag'; tag: 'HUMAN_AGENT'; until: Date };

export interface ReplyWindow {
  /** Whether an ordinary (free-text or media) message may be sent now. */
  freeTextAllowed: boolean;
  /** When free text stops being allowed; null when it is unlimited or already not allowed. */
  until: Date | null;
  /** What may be sent instead (or in addition), as of now. */
  alternatives: ReplyAlternative[];
}

/**
 * The reply window of a chat at `now`, from the channel and the time of the customer's last message
 * (null when the customer never wrote, e.g. a chat the business opened: no window is open then).
 */
export function replyWindowOf(params: { channel: ChannelKind; lastCustomerMessageAt: Date | null; now: Date }): ReplyWindow {
  const policy = REPLY_WINDOW_POLICIES[params.channel];
  if (policy.kind === 'unlimited') return { freeTextAllowed: true, until: null, alternatives: [] };
  const last = params.lastCustomerMessageAt;
  const freeUntil = last ? new Date(last.getTime() + policy.freeTextHours * HOUR_MS) : null;
  const open = freeUntil !== null && params.now < freeUntil;
  const alternatives: ReplyAlternative[] = [];
  for (const rule of policy.outside) {
    if (rule.kind === 'template') {
      alternatives.push({ kind: 'template', until: null });
    } else if (last) {
      const tagUntil = new Date(last.getTime() + rule.withinHours * HOUR_MS);
      if (params.now < tagUntil) alternatives.push({ kind: 'message-tag', tag: rule.tag, until: tagUntil });
    }
  }
  return { freeTextAllowed: open, until: open ? freeUntil : null, alternatives };
}

/** Whether the channel sends pre-approved templates at all (the outbound contract's `template`). */
export function channelSupportsTemplates(channel: ChannelKind): boolean {
  const policy = REPLY_WINDOW_POLICIES[channel];
  return policy.kind === 'customer-service-window' && policy.outside.some((rule) => rule.kind === 'template');
}
