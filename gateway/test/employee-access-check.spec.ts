/*
 * The gateway's check of tokens against identity (decision 0059): a token whose employee identity since
 * deactivated, re-roled or does not know is refused; answers are reused for a TTL and shared by concurrent
 * requests; when identity does not answer, tokens are taken as signed and identity is left alone for a TTL.
 */
import { AuthenticationError, createLogger, type EmployeeAccess, type Principal } from '@switchboard/service-kit';
import { EmployeeAccessCheck } from '../src/auth/employee-access-check';

const logger = createLogger('employee-access-test', 'silent');
const OLENA: Principal = { employeeId: '4b1c1b4e-7c1f-4a53-9a59-0d6f0c4b2f11', role: 'operator', name: 'Olena' };
const ADA: Principal = { employeeId: '9a0c7f62-2b1d-4c3e-8f4a-5b6c7d8e9f01', role: 'admin', name: 'Ada' };

/** identity as a table the test edits, counting lookups; `down` makes it fail. */
function fakeIdentity(initial: EmployeeAccess[]) {
  const directory = new Map(initial.map((e) => [e.employeeId, e]));
  const state = { lookups: 0, asked: [] as string[][], down: false };
  const client = {
    lookup: async (ids: readonly string[]) => {
      state.lookups++;
      state.asked.push([...ids]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (state.down) throw new Error('connect ECONNREFUSED identity');
      return ids.flatMap((id) => (directory.has(id) ? [directory.get(id)!] : []));
    },
  };
  return { client, directory, state };
}

async function refusal(check: EmployeeAccessCheck, principal: Principal): Promise<string | undefined> {
  try {
    await check.check(principal);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticationError);
    return (error as Error).message;
  }
}

describe('EmployeeAccessCheck', () => {
  it('accepts an active employee with the token\'s role; refuses a deactivated one, another role, an unknown one', async () => {
    const identity = fakeIdentity([
      { employeeId: OLENA.employeeId, role: 'operator', active: true },
      { employeeId: ADA.employeeId, role: 'operator', active: true },
    ]);
    const counted: string[] = [];
    const check = new EmployeeAccessCheck({ client: identity.client, logger, ttlMs: 0, metrics: { refused: (reason) => void counted.push(reason), unanswered: () => void counted.push('unanswered') } });
    expect(await refusal(check, OLENA)).toBeUndefined();
    expect(await refusal(check, ADA)).toBe('Your role is now operator: log in again');
    identity.directory.set(OLENA.employeeId, { employeeId: OLENA.employeeId, role: 'operator', active: false });
    expect(await refusal(check, OLENA)).toBe('Your employee account is deactivated');
    identity.directory.delete(OLENA.employeeId);
    expect(await refusal(check, OLENA)).toBe('Your employee account no longer exists');
    expect(counted).toEqual(['role_changed', 'deactivated', 'unknown_employee']);
  });

  it('asks identity once per TTL per employee, and once for concurrent requests', async () => {
    const identity = fakeIdentity([{ employeeId: OLENA.employeeId, role: 'operator', active: true }]);
    const check = new EmployeeAccessCheck({ client: identity.client, logger, ttlMs: 200 });
    await Promise.all(Array.from({ length: 20 }, () => check.check(OLENA)));
    await check.check(OLENA);
    expect(identity.state.lookups).toBe(1);
    // A deactivation is seen once the TTL has passed, not before.
    identity.directory.set(OLENA.employeeId, { employeeId: OLENA.employeeId, role: 'operator', active: false });
    expect(await refusal(check, OLENA)).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await refusal(check, OLENA)).toBe('Your employee account is deactivated');
    expect(identity.state.lookups).toBe(2);
  });

  it('checks many principals in one lookup and names each refused one', async () => {
    const identity = fakeIdentity([
      { employeeId: OLENA.employeeId, role: 'operator', active: false },
      { employeeId: ADA.employeeId, role: 'admin', active: true },
    ]);
    const check = new EmployeeAccessCheck({ client: identity.client, logger });
    const refused = await check.refusals([OLENA, ADA, OLENA]);
    expect([...refused]).toEqual([[OLENA.employeeId, 'Your employee account is deactivated']]);
    expect(identity.state.asked).toEqual([[OLENA.employeeId, ADA.employeeId]]);
  });

  it('asks about employees checked at the same moment in one lookup (every console reconnecting after a gateway restart)', async () => {
    const employees: EmployeeAccess[] = Array.from({ length: 50 }, (_, i) => ({ employeeId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, role: 'operator', active: true }));
    const identity = fakeIdentity(employees);
    const check = new EmployeeAccessCheck({ client: identity.client, logger });
    await Promise.all(employees.map((e) => check.check({ employeeId: e.employeeId, role: 'operator', name: 'Operator' })));
    expect(identity.state.asked.map((ids) => ids.length)).toEqual([50]);
  });

  it('takes tokens as signed while identity does not answer, keeps what it knew, and leaves identity alone for a TTL', async () => {
    const identity = fakeIdentity([{ employeeId: OLENA.employeeId, role: 'operator', active: false }]);
    let unanswered = 0;
    const check = new EmployeeAccessCheck({ client: identity.client, logger, ttlMs: 200, metrics: { refused: () => undefined, unanswered: () => void unanswered++ } });
    expect(await refusal(check, OLENA)).toBe('Your employee account is deactivated');
    identity.state.down = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
    // Stale but known: still refused. Never seen: accepted as signed.
    expect(await refusal(check, OLENA)).toBe('Your employee account is deactivated');
    expect(await refusal(check, ADA)).toBeUndefined();
    const lookupsWhileDown = identity.state.lookups;
    expect(await refusal(check, ADA)).toBeUndefined();
    expect(identity.state.lookups).toBe(lookupsWhileDown);
    expect(unanswered).toBe(1);
    identity.state.down = false;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await refusal(check, ADA)).toBe('Your employee account no longer exists');
  });
});
