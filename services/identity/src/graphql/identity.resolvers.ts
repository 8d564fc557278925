import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  AuthenticationError,
  ERROR_CODES,
  ForbiddenError,
  auditLogResolver,
  notFound,
  parseInput,
  recordAuditEntry,
  requireAdmin,
  requirePrincipal,
  type Principal,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { LoginService } from '../auth/login.service';
import type { PasswordHasher } from '../auth/password-hasher';
import { toEmployee, type Employee } from '../employees/employee.entity';
import { EmailTakenError, EmployeeNotFoundError, LastAdminError, SelfDeactivationError } from '../employees/employee.errors';
import { createEmployeeInputSchema, MAX_PASSWORD_LENGTH, updateEmployeeInputSchema, type EmployeeChanges } from '../employees/employee.input';
import { EmployeeRepository } from '../employees/employee.repository';
import { changeEmployee, createEmployee } from '../employees/employee.service';
import { IDENTITY_SCHEMA } from '../identity.data-source';

const idSchema = z.uuid('must be a UUID');

// Login does not check the email format: a malformed email is simply a wrong one, answered alike.
const loginInputSchema = z.object({
  email: z.string().trim().min(1, 'must not be empty'),
  password: z.string().min(1, 'must not be empty').max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`),
});

/** Resolvers of the identity subgraph; authorisation is checked here, at the edge of every operation. */
export function createIdentityResolvers(deps: {
  dataSource: DataSource;
  login: LoginService;
  hasher: PasswordHasher;
  /** Called after a change to employees committed: wakes the outbox relay so their event leaves at once. */
  onEmployeesChanged?: () => void;
}): GraphQLResolverMap<SubgraphContext> {
  const employees = new EmployeeRepository(deps.dataSource);

  const findEmployee = async (id: string): Promise<Employee | null> => {
    const entity = await employees.findById(id);
    return entity ? toEmployee(entity) : null;
  };

  /**
   * The caller as the directory knows them now. An access token outlives a deactivation or a demotion (it
   * is checked by signature alone, for up to ACCESS_TOKEN_TTL_SECONDS); identity, which owns the truth,
   * refuses a deactivated caller at once and goes by the current role, not the token's.
   */
  const currentCaller = async (principal: Principal | undefined): Promise<Employee> => {
    const caller = requirePrincipal(principal);
    const me = await findEmployee(caller.employeeId);
    // A valid token for an employee who no longer exists: the token is stale, not the request bad.
    if (!me) throw new AuthenticationError('Your employee account no longer exists: log in again');
    if (!me.active) throw new AuthenticationError('Your employee account is deactivated');
    return me;
  };
  const currentAdmin = async (principal: Principal | undefined): Promise<Principal> => {
    requireAdmin(principal);
    const caller = await currentCaller(principal);
    if (caller.role !== 'admin') throw new ForbiddenError('Only admins may do this');
    return { employeeId: caller.id, role: caller.role, name: caller.name };
  };
  const auditLog = auditLogResolver(deps.dataSource, IDENTITY_SCHEMA);

  /** updateEmployee, deactivateEmployee, reactivateEmployee: one change, its audit entry and its event commit together. */
  const change = async (ctx: SubgraphContext, id: unknown, changes: EmployeeChanges): Promise<Employee> => {
    const admin = await currentAdmin(ctx.principal);
    const employeeId = parseInput(z.object({ id: idSchema }), { id }).id;
    try {
      const result = await deps.dataSource.transaction(async (manager) => {
        const done = await changeEmployee({ db: manager, actorId: admin.employeeId, employeeId, changes });
        if (done.changed.length === 0) return done;
        const action = !done.changed.includes('active') ? 'employee.update' : done.after.active ? 'employee.reactivate' : 'employee.deactivate';
        await recordAuditEntry(manager, IDENTITY_SCHEMA, {
          actor: admin,
          action,
          target: { type: 'employee', id: employeeId },
          details: {
            email: done.after.email,
            ...Object.fromEntries(done.changed.map((field) => [field, { from: done.before[field], to: done.after[field] }])),
          },
          ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
        });
        return done;
      });
      if (result.changed.length > 0) deps.onEmployeesChanged?.();
      return result.after;
    } catch (error) {
      if (error instanceof EmployeeNotFoundError) throw notFound(error.message);
      if (error instanceof LastAdminError) throw new GraphQLError(error.message, { extensions: { code: ERROR_CODES.conflict, reason: 'LAST_ADMIN' } });
      if (error instanceof SelfDeactivationError) {
        throw new GraphQLError(error.message, { extensions: { code: ERROR_CODES.badUserInput, field: 'id', reason: 'SELF_DEACTIVATION' } });
      }
      throw error;
    }
  };

  return {
    // GraphQL's enum names are upper case; the role values everywhere else (tokens, database) are not.
    Role: { ADMIN: 'admin', OPERATOR: 'operator' },
    Query: {
      me: (_parent, _args, ctx: SubgraphContext) => currentCaller(ctx.principal),
      employees: async (_parent, _args, ctx: SubgraphContext) => {
        await currentCaller(ctx.principal);
        return (await employees.list()).map(toEmployee);
      },
      employee: async (_parent, args: { id: unknown }, ctx: SubgraphContext) => {
        await currentCaller(ctx.principal);
        return findEmployee(parseInput(idSchema, args.id));
      },
      identityAuditLog: async (parent: unknown, args: unknown, ctx: SubgraphContext) => {
        await currentAdmin(ctx.principal);
        return auditLog(parent, args, ctx);
      },
    },
    Mutation: {
      login: async (_parent, args: { input: unknown }) => {
        const input = parseInput(loginInputSchema, args.input);
        const result = await deps.login.login(input);
        return { ...result, expiresAt: result.expiresAt.toISOString() };
      },
      createEmployee: async (_parent, args: { input: unknown }, ctx: SubgraphContext) => {
        const admin = await currentAdmin(ctx.principal);
        const input = parseInput(createEmployeeInputSchema, args.input);
        try {
          // The audit entry commits with the employee (and its event) or not at all.
          const employee = await deps.dataSource.transaction(async (manager) => {
            const created = await createEmployee({ db: manager, input, hasher: deps.hasher });
            await recordAuditEntry(manager, IDENTITY_SCHEMA, {
              actor: admin,
              action: 'employee.create',
              target: { type: 'employee', id: created.id },
              details: { email: created.email, role: created.role },
              ...(ctx.correlationId ? { correlationId: ctx.correlationId } : {}),
            });
            return created;
          });
          deps.onEmployeesChanged?.();
          return employee;
        } catch (error) {
          if (error instanceof EmailTakenError) {
            throw new GraphQLError(error.message, { extensions: { code: ERROR_CODES.conflict, field: 'email' } });
          }
          throw error;
        }
      },
      updateEmployee: (_parent, args: { id: unknown; input: unknown }, ctx: SubgraphContext) =>
        change(ctx, args.id, parseInput(updateEmployeeInputSchema, args.input)),
      deactivateEmployee: (_parent, args: { id: unknown }, ctx: SubgraphContext) => change(ctx, args.id, { active: false }),
      reactivateEmployee: (_parent, args: { id: unknown }, ctx: SubgraphContext) => change(ctx, args.id, { active: true }),
    },
    Employee: {
      // Entity resolution for other subgraphs; the gateway forwards the caller's token, so the same rule applies.
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        // Signature only, no directory lookup per reference: the services that reference employees refuse a
        // deactivated caller themselves (the chat service by its replica of these events, decision 0021).
        requirePrincipal(ctx.principal);
        // Unknown and malformed ids alike resolve to null, as federation expects of a missing entity.
        const parsed = idSchema.safeParse(reference.id);
        return parsed.success ? findEmployee(parsed.data) : null;
      },
    },
  };
}
