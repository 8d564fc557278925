import { channelSupportsTemplates, replyWindowOf } from '../src';

const HOUR = 3_600_000;
const last = new Date('2026-03-01T10:00:00.000Z');
const at = (hours: number) => new Date(last.getTime() + hours * HOUR);

describe('reply windows', () => {
  it('WhatsApp: free text for exactly 24 hours after the customer wrote, templates always', () => {
    expect(replyWindowOf({ channel: 'whatsapp', lastCustomerMessageAt: last, now: at(23.99) })).toEqual({
      freeTextAllowed: true,
      until: at(24),
      alternatives: [{ kind: 'template', until: null }],
    });
    // The window is half-open: at 24:00:00.000 it has closed.
    expect(replyWindowOf({ channel: 'whatsapp', lastCustomerMessageAt: last, now: at(24) })).toEqual({
      freeTextAllowed: false,
      until: null,
      alternatives: [{ kind: 'template', until: null }],
    });
    expect(replyWindowOf({ channel: 'whatsapp', lastCustomerMessageAt: null, now: at(0) }).freeTextAllowed).toBe(false);
  });

  it('Messenger and Instagram: 24 hours of free text, then HUMAN_AGENT until 7 days, then nothing', () => {
    for (const channel of ['messenger', 'instagram'] as const) {
      const inside = replyWindowOf({ channel, lastCustomerMessageAt: last, now: at(1) });
      expect(inside).toEqual({ freeTextAllowed: true, until: at(24), alternatives: [{ kind: 'message-tag', tag: 'HUMAN_AGENT', until: at(168) }] });
      expect(replyWindowOf({ channel, lastCustomerMessageAt: last, now: at(100) })).toEqual({
        freeTextAllowed: false,
        until: null,
        alternatives: [{ kind: 'message-tag', tag: 'HUMAN_AGENT', until: at(168) }],
      });
      expect(replyWindowOf({ channel, lastCustomerMessageAt: last, now: at(168) })).toEqual({ freeTextAllowed: false, until: null, alternatives: [] });
    }
  });

  it('Telegram, Viber and the bridge have no window, whenever or whether the customer wrote', () => {
    for (const channel of ['telegram', 'telegram-user', 'viber', 'bridge'] as const) {
      expect(replyWindowOf({ channel, lastCustomerMessageAt: null, now: at(10_000) })).toEqual({ freeTextAllowed: true, until: null, alternatives: [] });
    }
  });

  it('only WhatsApp sends templates', () => {
    expect(channelSupportsTemplates('whatsapp')).toBe(true);
    expect(channelSupportsTemplates('messenger')).toBe(false);
    expect(channelSupportsTemplates('telegram')).toBe(false);
  });
});
