import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import {
  AuthenticationError,
  ERROR_CODES,
  auditLogResolver,
  parseInput,
  recordAuditEntry,
  requireAdmin,
  requirePrincipal,
  type SubgraphContext,
} from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { LoginService } from '../auth/login.service';
import type { PasswordHasher } from '../auth/password-hasher';
import { toEmployee, type Employee } from '../employees/employee.entity';
import { EmailTakenError } from '../employees/employee.errors';
import { createEmployeeInputSchema, MAX_PASSWORD_LENGTH } from '../employees/employee.input';
import { EmployeeRepository } from '../employees/employee.repository';
import { createEmployee } from '../employees/employee.service';
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

  return {
    // GraphQL's enum names are upper case; the role values everywhere else (tokens, database) are not.
    Role: { ADMIN: 'admin', OPERATOR: 'operator' },
    Query: {
      me: async (_parent, _args, ctx: SubgraphContext) => {
        const principal = requirePrincipal(ctx.principal);
        const me = await findEmployee(principal.employeeId);
        // A valid token for an employee who no longer exists: the token is stale, not the request bad.
        if (!me) throw new AuthenticationError('Your employee account no longer exists: log in again');
        return me;
      },
      employees: async (_parent, _args, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return (await employees.list()).map(toEmployee);
      },
      employee: async (_parent, args: { id: unknown }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        return findEmployee(parseInput(idSchema, args.id));
      },
      identityAuditLog: auditLogResolver(deps.dataSource, IDENTITY_SCHEMA),
    },
    Mutation: {
      login: async (_parent, args: { input: unknown }) => {
        const input = parseInput(loginInputSchema, args.input);
        const result = await deps.login.login(input);
        return { ...result, expiresAt: result.expiresAt.toISOString() };
      },
      createEmployee: async (_parent, args: { input: unknown }, ctx: SubgraphContext) => {
        const admin = requireAdmin(ctx.principal);
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
    },
    Employee: {
      // Entity resolution for other subgraphs; the gateway forwards the caller's token, so the same rule applies.
      __resolveReference: async (reference: { id: string }, ctx: SubgraphContext) => {
        requirePrincipal(ctx.principal);
        // Unknown and malformed ids alike resolve to null, as federation expects of a missing entity.
        const parsed = idSchema.safeParse(reference.id);
        return parsed.success ? findEmployee(parsed.data) : null;
      },
    },
  };
}
