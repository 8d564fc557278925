import { AUDIT_PAGE_SIZE, auditFilterProblems, describeDetails, mergeAuditLog, nextCursor, type AuditEntryLike, type SourceState } from '../src/admin/audit-merge';
import { replayOutcomes } from '../src/admin/replay-outcomes';
import { en, uk } from '../src/i18n/messages';
import { ADMIN_PAGES, adminPageOf } from '../src/routing/admin-routes';

const entry = (id: string, occurredAt: string, action = 'employee.create'): AuditEntryLike => ({
  id,
  occurredAt,
  actorId: null,
  actorRole: null,
  action,
  targetType: 'employee',
  targetId: `t-${id}`,
  details: '{}',
});
const state = (entries: AuditEntryLike[], more = false, failed = false): SourceState => ({ entries, more, failed });
const keys = (log: ReturnType<typeof mergeAuditLog>) => log.entries.map((e) => e.key);

describe('the merged audit log', () => {
  it('puts every service’s entries into one list, newest first, when no service has more pages', () => {
    const log = mergeAuditLog({
      identity: state([entry('2', '2026-12-01T10:05:00.000Z'), entry('1', '2026-12-01T10:00:00.000Z')]),
      chat: state([entry('7', '2026-12-01T10:03:00.000Z')]),
      telegram: state([]),
    });
    expect(keys(log)).toEqual(['identity:2', 'chat:7', 'identity:1']);
    expect(log.next).toEqual([]);
  });

  it('holds back entries older than what a service with more pages has not sent yet, and asks that service on', () => {
    const log = mergeAuditLog({
      // A full page: its next page may hold entries from 10:01 down, above chat's 10:00 one.
      identity: state([entry('9', '2026-12-01T10:04:00.000Z'), entry('8', '2026-12-01T10:02:00.000Z')], true),
      chat: state([entry('3', '2026-12-01T10:03:00.000Z'), entry('2', '2026-12-01T10:00:00.000Z')]),
    });
    expect(keys(log)).toEqual(['identity:9', 'chat:3', 'identity:8']);
    expect(log.next).toEqual(['identity']);
  });

  it('with two services paging, stops at the newer of their oldest entries and asks only the one holding the list back', () => {
    const log = mergeAuditLog({
      identity: state([entry('9', '2026-12-01T10:04:00.000Z'), entry('8', '2026-12-01T10:01:00.000Z')], true),
      chat: state([entry('5', '2026-12-01T10:05:00.000Z'), entry('4', '2026-12-01T10:03:00.000Z')], true),
    });
    expect(keys(log)).toEqual(['chat:5', 'identity:9', 'chat:4']);
    expect(log.next).toEqual(['chat']);
  });

  it('lets a failed service hold nothing back (its error is shown instead)', () => {
    const log = mergeAuditLog({
      identity: state([entry('1', '2026-12-01T09:00:00.000Z')]),
      meta: state([entry('4', '2026-12-01T12:00:00.000Z')], true, true),
    });
    expect(keys(log)).toEqual(['meta:4', 'identity:1']);
    expect(log.next).toEqual([]);
  });

  it('orders entries of one instant by service, then by id as a number (10 after 9)', () => {
    const at = '2026-12-01T10:00:00.000Z';
    const log = mergeAuditLog({ chat: state([entry('9', at), entry('10', at)]), identity: state([entry('2', at)]) });
    expect(keys(log)).toEqual(['identity:2', 'chat:10', 'chat:9']);
  });

  it('pages each service from the id of its oldest loaded entry', () => {
    expect(nextCursor([entry('100', 'x'), entry('99', 'x'), entry('1000', 'x')])).toBe('99');
    expect(nextCursor([])).toBeUndefined();
    expect(AUDIT_PAGE_SIZE).toBeLessThanOrEqual(500);
  });
});

describe('audit log filters', () => {
  it('takes an empty filter or a subject.verb action code, as the services do', () => {
    expect(auditFilterProblems({ action: '', targetId: '' })).toEqual({});
    expect(auditFilterProblems({ action: ' connection.set-members ', targetId: 'a1' })).toEqual({});
    expect(auditFilterProblems({ action: 'Employee Create', targetId: '' })).toEqual({ action: 'audit.actionInvalid' });
    expect(auditFilterProblems({ action: 'employee', targetId: 'x'.repeat(201) })).toEqual({ action: 'audit.actionInvalid', targetId: 'audit.targetIdTooLong' });
  });
});

describe('audit entry details', () => {
  const names = new Map([['e-1', 'Ірина Операторка']]);
  const nameOf = (id: string) => names.get(id);

  it('shows each fact, known employees by name, changes as from → to and empty lists as —', () => {
    expect(describeDetails(JSON.stringify({ added: ['e-1'], removed: [], members: ['e-1', 'e-2'] }), nameOf)).toBe('added: Ірина Операторка; removed: —; members: Ірина Операторка, e-2');
    expect(describeDetails(JSON.stringify({ email: 'i@x.test', role: { from: 'OPERATOR', to: 'ADMIN' }, ok: true }), nameOf)).toBe('email: i@x.test; role: OPERATOR → ADMIN; ok: true');
    expect(describeDetails('{}', nameOf)).toBe('');
  });

  it('shows details that are not a JSON object as they came', () => {
    expect(describeDetails('not json', nameOf)).toBe('not json');
    expect(describeDetails('[1,2]', nameOf)).toBe('[1,2]');
  });
});

describe('replaying bridge dead letters', () => {
  it('reports each requested reply as replayed or not, as the API answered', () => {
    const requested = [
      { commandId: 'm1', chatId: '380501' },
      { commandId: 'm2', chatId: '380502' },
    ];
    expect(replayOutcomes(requested, ['m2'])).toEqual([
      { commandId: 'm1', chatId: '380501', replayed: false },
      { commandId: 'm2', chatId: '380502', replayed: true },
    ]);
  });
});

describe('the audit log page', () => {
  it('is an admin page at /admin/audit-log, named in both languages', () => {
    expect(ADMIN_PAGES).toContain('audit-log');
    expect(adminPageOf('/admin/audit-log')).toBe('audit-log');
    expect([uk['admin.page.audit-log'], en['admin.page.audit-log']]).toEqual(['Журнал дій', 'Audit log']);
  });
});
