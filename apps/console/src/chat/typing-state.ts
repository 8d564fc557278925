/** One chatTyping item, as far as the indicator needs it. */
export interface TypingReport {
  chatId: string;
  activity: string;
  expiresAt: string;
  who: { kind: 'CUSTOMER' | 'EMPLOYEE'; id: string; name: string };
}

/** Who is typing in a chat now: by actor, with when to stop showing them. */
export type TypingState = ReadonlyMap<string, { name: string; until: number }>;

/**
 * Applies a typing report: it shows its actor until expiresAt, replacing what they reported before;
 * `cancelled` (a customer stopped) ends it at once. Ephemeral on the server too (decision 0042): nothing
 * here outlives the page.
 */
export function applyTyping(state: TypingState, report: TypingReport, now: number): TypingState {
  const next = new Map(prune(state, now));
  const key = `${report.who.kind}:${report.who.id}`;
  const until = Date.parse(report.expiresAt);
  if (report.activity === 'cancelled' || !(until > now)) next.delete(key);
  else next.set(key, { name: report.who.name, until });
  return next;
}

/** Drops those whose time is up. */
export function prune(state: TypingState, now: number): TypingState {
  let changed = false;
  const next = new Map<string, { name: string; until: number }>();
  for (const [key, value] of state) {
    if (value.until > now) next.set(key, value);
    else changed = true;
  }
  return changed ? next : state;
}

/** The names to show, in the order they started typing; empty when nobody is typing. */
export function typingNames(state: TypingState): string[] {
  return [...state.values()].map((value) => value.name);
}

/** When the next one's time is up (to re-render then), or undefined when nobody is typing. */
export function nextExpiry(state: TypingState): number | undefined {
  let soonest: number | undefined;
  for (const value of state.values()) soonest = soonest === undefined ? value.until : Math.min(soonest, value.until);
  return soonest;
}

/**
 * Calls `report` as the operator types, at most once per `everyMs` (the server's own window, so every
 * call it gets passes typing on and the indicator never lapses while they type).
 */
export function typingThrottle(report: () => void, everyMs: number, now: () => number = Date.now): () => void {
  let last: number | undefined;
  return () => {
    const at = now();
    if (last !== undefined && at - last < everyMs) return;
    last = at;
    report();
  };
}
