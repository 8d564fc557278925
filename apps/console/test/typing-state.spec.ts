import { applyTyping, nextExpiry, prune, typingNames, typingThrottle, type TypingReport, type TypingState } from '../src/chat/typing-state';

const at = Date.parse('2026-03-01T10:00:00.000Z');
const report = (who: TypingReport['who'], expiresInMs: number, activity = 'typing'): TypingReport => ({
  chatId: 'chat-1',
  activity,
  expiresAt: new Date(at + expiresInMs).toISOString(),
  who,
});
const marta = { kind: 'CUSTOMER' as const, id: 'c-1', name: 'Марта' };
const olena = { kind: 'EMPLOYEE' as const, id: 'e-1', name: 'Олена' };

describe('the typing indicator state', () => {
  it('shows each actor once until their report expires; a renewal extends it', () => {
    let state: TypingState = new Map();
    state = applyTyping(state, report(marta, 6_000), at);
    state = applyTyping(state, report(olena, 6_000), at + 1_000);
    state = applyTyping(state, report(marta, 10_000), at + 4_000);
    expect(typingNames(state)).toEqual(['Марта', 'Олена']);
    expect(nextExpiry(state)).toBe(at + 6_000);
    expect(typingNames(prune(state, at + 6_500))).toEqual(['Марта']);
    expect(typingNames(prune(state, at + 10_000))).toEqual([]);
  });

  it('ends at once on cancelled and ignores a report that arrives expired', () => {
    let state: TypingState = applyTyping(new Map(), report(marta, 6_000), at);
    state = applyTyping(state, report(marta, 6_000, 'cancelled'), at + 500);
    expect(typingNames(state)).toEqual([]);
    expect(typingNames(applyTyping(state, report(olena, -1), at))).toEqual([]);
    expect(nextExpiry(state)).toBeUndefined();
  });

  it('reports typing at most once per window however often it is called', () => {
    let now = at;
    const calls: number[] = [];
    const keystroke = typingThrottle(() => calls.push(now), 4_000, () => now);
    for (let i = 0; i < 100; i++) {
      keystroke();
      now += 100;
    }
    expect(calls).toEqual([at, at + 4_000, at + 8_000]);
  });
});
