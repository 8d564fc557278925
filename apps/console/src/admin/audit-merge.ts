/**
 * The audit log page shows one list made of six: every service keeps its own log (decision 0027), each
 * paged newest first by its own ids. Pure, so the merge is unit-tested without a browser.
 */

/** The services with an audit log, in the order ties are broken. */
export const AUDIT_SOURCES = ['identity', 'chat', 'telegram', 'viber', 'whatsapp', 'meta', 'bridge'] as const;
export type AuditSource = (typeof AUDIT_SOURCES)[number];

/** Asked for per service and per page; a full page means that service may have older entries. */
export const AUDIT_PAGE_SIZE = 50;

export interface AuditEntryLike {
  id: string;
  occurredAt: string;
  actorId?: string | null | undefined;
  actorRole?: string | null | undefined;
  action: string;
  targetType: string;
  targetId: string;
  details: string;
}

/** One service's part: what was loaded, whether a full page came back last time, and its refusal if any. */
export interface SourceState<E extends AuditEntryLike = AuditEntryLike> {
  entries: readonly E[];
  more: boolean;
  failed: boolean;
}

export type MergedEntry<E extends AuditEntryLike = AuditEntryLike> = E & { source: AuditSource; key: string };

export interface MergedLog<E extends AuditEntryLike = AuditEntryLike> {
  /** Newest first; never an entry older than what a service with more pages might still hold. */
  entries: MergedEntry<E>[];
  /** The services whose next page the "more" button asks for. Empty: everything is shown. */
  next: AuditSource[];
}

const time = (entry: AuditEntryLike) => Date.parse(entry.occurredAt);

/** Ids are bigserials as decimal strings: compared as numbers without losing digits. */
function compareIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Merges the loaded pages, newest first. A service with more pages holds back the others' older entries:
 * showing them would put them above entries of that service not loaded yet. So the list stops at the
 * horizon (the newest of those services' oldest loaded entries) and "more" asks those services on.
 * A service that failed holds nothing back: its error is shown instead.
 */
export function mergeAuditLog<E extends AuditEntryLike>(sources: Partial<Record<AuditSource, SourceState<E>>>): MergedLog<E> {
  const paging = AUDIT_SOURCES.filter((source) => {
    const state = sources[source];
    return state && !state.failed && state.more && state.entries.length > 0;
  });
  const oldestOf = (source: AuditSource) => Math.min(...sources[source]!.entries.map(time));
  const horizon = paging.length > 0 ? Math.max(...paging.map(oldestOf)) : Number.NEGATIVE_INFINITY;
  const entries = AUDIT_SOURCES.flatMap((source) =>
    (sources[source]?.entries ?? []).filter((entry) => time(entry) >= horizon).map((entry) => ({ ...entry, source, key: `${source}:${entry.id}` })),
  );
  const rank = (source: AuditSource) => AUDIT_SOURCES.indexOf(source);
  entries.sort((a, b) => time(b) - time(a) || rank(a.source) - rank(b.source) || compareIds(b.id, a.id));
  return { entries, next: paging.filter((source) => oldestOf(source) >= horizon) };
}

/** The cursor for a service's next page: the id of its oldest entry loaded (its ids only grow). */
export function nextCursor(entries: readonly AuditEntryLike[]): string | undefined {
  return entries.reduce<string | undefined>((oldest, entry) => (oldest === undefined || compareIds(entry.id, oldest) < 0 ? entry.id : oldest), undefined);
}

/** The services' action filter accepts only `subject.verb` in lower case; checked before asking. */
export const AUDIT_ACTION_PATTERN = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

export function auditFilterProblems(filter: { action: string; targetId: string }): { action?: 'audit.actionInvalid'; targetId?: 'audit.targetIdTooLong' } {
  const action = filter.action.trim();
  const targetId = filter.targetId.trim();
  return {
    ...(action !== '' && !AUDIT_ACTION_PATTERN.test(action) ? { action: 'audit.actionInvalid' as const } : {}),
    ...(targetId.length > 200 ? { targetId: 'audit.targetIdTooLong' as const } : {}),
  };
}

/**
 * An entry's details (a JSON object) as one line: `key: value; ...`, ids of known employees shown by name,
 * a change `{ from, to }` as `from → to`. Details that are not a JSON object are shown as they came.
 */
export function describeDetails(details: string, nameOf: (id: string) => string | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return details;
  const value = (v: unknown): string => {
    if (typeof v === 'string') return nameOf(v) ?? v;
    if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(value).join(', ');
    if (v !== null && typeof v === 'object' && 'from' in v && 'to' in v) return `${value((v as { from: unknown }).from)} → ${value((v as { to: unknown }).to)}`;
    return JSON.stringify(v);
  };
  return Object.entries(parsed as Record<string, unknown>)
    .map(([key, v]) => `${key}: ${value(v)}`)
    .join('; ');
}
