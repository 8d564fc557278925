import { AuthenticationError, type EmployeeAccess, type EmployeeAccessClient, type Logger, type Principal } from '@switchboard/service-kit';

/**
 * How long the gateway trusts what identity last said about an employee: the longest a deactivation or a role
 * change takes to stop that employee's existing tokens (decision 0059).
 */
export const EMPLOYEE_ACCESS_TTL_MS = 5_000;
/** Employees remembered at most; the one longest without an answer is forgotten first (asked again when seen). */
const MAX_REMEMBERED = 10_000;
/** While identity does not answer, a warning at most this often, not one per request. */
const OUTAGE_WARNING_INTERVAL_MS = 30_000;

/** What identity last said: the employee's access, or that it knows no such employee. */
type Known = EmployeeAccess | 'unknown';

/** Why a token no longer counts: the `reason` label of gateway_token_refusals_total. */
export type RefusalReason = 'deactivated' | 'role_changed' | 'unknown_employee';

/** Counts for /metrics (the gateway's registry); optional so tests can leave them out. */
export interface EmployeeAccessMetrics {
  refused(reason: RefusalReason): void;
  /** A lookup identity did not answer (tokens were then taken as signed). */
  unanswered(): void;
}

/**
 * Access tokens are checked by signature and live for hours; identity owns whether their employee is still
 * active and still has the token's role. Every authenticated request and live subscription passes here, so a
 * deactivated or re-roled employee's old token stops working everywhere behind the gateway within
 * EMPLOYEE_ACCESS_TTL_MS, not only in the services that keep an employee replica (identity, chat).
 *
 * When identity cannot answer, a token is taken as signed, as before this check existed: the gateway stays
 * available (sign-ins are unavailable anyway) and the outage is logged. Identity is then left alone for one
 * TTL, so requests do not each wait for its timeout.
 */
export class EmployeeAccessCheck {
  private readonly known = new Map<string, { access: Known; checkedAt: number }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** The lookup that ids asked for in this turn of the event loop join; it starts on setImmediate. */
  private nextLookup: { ids: Set<string>; done: Promise<void> } | undefined;
  private identityAwayUntil = 0;
  private lastOutageWarning = 0;
  private readonly ttlMs: number;

  constructor(private readonly options: { client: Pick<EmployeeAccessClient, 'lookup'>; logger: Logger; ttlMs?: number; metrics?: EmployeeAccessMetrics }) {
    this.ttlMs = options.ttlMs ?? EMPLOYEE_ACCESS_TTL_MS;
  }

  /** Throws AuthenticationError when identity says the token's employee is unknown, deactivated or of another role. */
  async check(principal: Principal): Promise<void> {
    const reason = (await this.refusals([principal])).get(principal.employeeId);
    if (reason) throw new AuthenticationError(reason);
  }

  /** Many principals at once (the open live subscriptions): employee id → why their token no longer counts. */
  async refusals(principals: readonly Principal[]): Promise<Map<string, string>> {
    const now = Date.now();
    if (now >= this.identityAwayUntil) {
      const due = [...new Set(principals.map((p) => p.employeeId))].filter((id) => {
        const entry = this.known.get(id);
        return !entry || now - entry.checkedAt >= this.ttlMs;
      });
      if (due.length > 0) await this.refresh(due);
    }
    const refused = new Map<string, string>();
    for (const principal of principals) {
      const refusal = refusalOf(principal, this.known.get(principal.employeeId)?.access);
      if (!refusal) continue;
      this.options.metrics?.refused(refusal.reason);
      refused.set(principal.employeeId, refusal.message);
    }
    return refused;
  }

  /**
   * Asks identity about `ids`; an id already being asked about waits for that answer instead. Ids asked for
   * in the same turn of the event loop go in one lookup: after a gateway restart every console reconnects
   * at once, and a thousand subscriptions should not be a thousand requests to identity.
   */
  private async refresh(ids: string[]): Promise<void> {
    const waits = new Set<Promise<void>>();
    for (const id of ids) {
      let pending = this.inFlight.get(id);
      if (!pending) {
        pending = this.joinNextLookup(id);
        this.inFlight.set(id, pending);
      }
      waits.add(pending);
    }
    await Promise.all(waits);
  }

  private joinNextLookup(id: string): Promise<void> {
    if (!this.nextLookup) {
      const ids = new Set<string>();
      const done = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => {
          // Ids asked for from now on start the next lookup.
          if (this.nextLookup?.ids === ids) this.nextLookup = undefined;
          return this.lookup([...ids]);
        })
        .finally(() => {
          for (const asked of ids) if (this.inFlight.get(asked) === done) this.inFlight.delete(asked);
        });
      this.nextLookup = { ids, done };
    }
    this.nextLookup.ids.add(id);
    return this.nextLookup.done;
  }

  /** Never rejects: an unanswered lookup leaves what was known (fail open for the never-seen). */
  private async lookup(ids: string[]): Promise<void> {
    try {
      const found = new Map((await this.options.client.lookup(ids)).map((access) => [access.employeeId, access]));
      const checkedAt = Date.now();
      for (const id of ids) this.remember(id, found.get(id) ?? 'unknown', checkedAt);
    } catch (error) {
      this.options.metrics?.unanswered();
      this.identityAwayUntil = Date.now() + this.ttlMs;
      if (Date.now() - this.lastOutageWarning >= OUTAGE_WARNING_INTERVAL_MS) {
        this.lastOutageWarning = Date.now();
        this.options.logger.warn(
          { err: error, employees: ids.length },
          'identity did not say whether employees are still active; their tokens are taken as signed until it answers',
        );
      }
    }
  }

  private remember(id: string, access: Known, checkedAt: number): void {
    this.known.delete(id);
    if (this.known.size >= MAX_REMEMBERED) {
      const oldest = this.known.keys().next();
      if (!oldest.done) this.known.delete(oldest.value);
    }
    this.known.set(id, { access, checkedAt });
  }
}

function refusalOf(principal: Principal, access: Known | undefined): { reason: RefusalReason; message: string } | undefined {
  if (access === undefined) return undefined;
  if (access === 'unknown') return { reason: 'unknown_employee', message: 'Your employee account no longer exists' };
  if (!access.active) return { reason: 'deactivated', message: 'Your employee account is deactivated' };
  if (access.role !== principal.role) return { reason: 'role_changed', message: `Your role is now ${access.role}: log in again` };
  return undefined;
}
