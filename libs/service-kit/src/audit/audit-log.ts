import { z } from 'zod';
import { requireAdmin, type Principal } from '../auth/access-token';
import { parseInput } from '../graphql/graphql-errors';

/**
 * The audit log of admin actions. Every service keeps its own, in its own schema (`<schema>.audit_log`),
 * written by the code that made the change: no service writes another's tables, and an entry is in the
 * same database as the change it describes, so the two can be written in one transaction. Admins read it
 * through each service's subgraph (`<service>AuditLog`). Decision 0027.
 */

/** Anything that runs SQL: a TypeORM DataSource or EntityManager (inside a transaction), a pg client. */
export interface AuditExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

export interface AuditEntryInput {
  /** Who: the employee who acted; null for the system itself (CLI tools, start-up seeding). */
  actor: Pick<Principal, 'employeeId' | 'role'> | null;
  /** What, as `<subject>.<verb>` in lower case, e.g. `employee.create`, `connection.disconnect`. */
  action: string;
  /** On what: the type and id of the changed thing. */
  target: { type: string; id: string };
  /** A few facts worth keeping (never secrets: tokens and passwords stay out). */
  details?: Record<string, unknown>;
  correlationId?: string;
}

export interface AuditEntry {
  id: string;
  occurredAt: Date;
  actorId: string | null;
  actorRole: string | null;
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
  correlationId: string | null;
}

const actionSchema = z.string().regex(/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/, 'must look like subject.verb in lower case');
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

function table(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`audit log schema "${schema}" must be a plain identifier`);
  return `"${schema}".audit_log`;
}

/**
 * The table, as statements of a service migration (append a migration with these to the service's list).
 * Rows are only ever inserted: the service code has no update or delete path.
 */
export function auditLogTableDdl(schema: string): { up: string[]; down: string[] } {
  const t = table(schema);
  return {
    up: [
      `CREATE TABLE ${t} (
         id bigserial PRIMARY KEY,
         occurred_at timestamptz NOT NULL DEFAULT now(),
         actor_id text,
         actor_role text,
         action text NOT NULL,
         target_type text NOT NULL,
         target_id text NOT NULL,
         details jsonb NOT NULL DEFAULT '{}',
         correlation_id text)`,
      `CREATE INDEX audit_log_action_id_idx ON ${t} (action, id DESC)`,
      `CREATE INDEX audit_log_target_idx ON ${t} (target_type, target_id, id DESC)`,
    ],
    down: [`DROP TABLE ${t}`],
  };
}

/**
 * Records one admin action. Call it with the transaction's executor when the change is a database write,
 * so the entry exists if and only if the change committed; after the fact when the change was an external
 * call (registering a webhook) that no transaction covers.
 */
export async function recordAuditEntry(db: AuditExecutor, schema: string, entry: AuditEntryInput): Promise<void> {
  const action = actionSchema.parse(entry.action);
  await db.query(
    `INSERT INTO ${table(schema)} (actor_id, actor_role, action, target_type, target_id, details, correlation_id)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)`,
    [
      entry.actor?.employeeId ?? null,
      entry.actor?.role ?? null,
      action,
      entry.target.type,
      entry.target.id,
      JSON.stringify(entry.details ?? {}),
      entry.correlationId ?? null,
    ],
  );
}

export const auditLogQuerySchema = z.object({
  first: z.number().int().min(1).max(500).default(50),
  /** Entries older than this id (the `id` of the last entry of the previous page). */
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,18}$/, 'must be an audit entry id')
    .optional()
    .nullable(),
  action: actionSchema.optional().nullable(),
  targetId: z.string().min(1).max(200).optional().nullable(),
});
export type AuditLogQuery = z.input<typeof auditLogQuerySchema>;

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string;
  target_id: string;
  details: Record<string, unknown>;
  correlation_id: string | null;
}

/** Newest first, paged by id. */
export async function listAuditEntries(db: AuditExecutor, schema: string, query: AuditLogQuery): Promise<AuditEntry[]> {
  const q = auditLogQuerySchema.parse(query);
  const result = await db.query(
    `SELECT id::text AS id, occurred_at, actor_id, actor_role, action, target_type, target_id, details, correlation_id
       FROM ${table(schema)}
      WHERE ($1::bigint IS NULL OR id < $1::bigint)
        AND ($2::text IS NULL OR action = $2)
        AND ($3::text IS NULL OR target_id = $3)
      ORDER BY id DESC
      LIMIT $4`,
    [q.before ?? null, q.action ?? null, q.targetId ?? null, q.first],
  );
  // TypeORM answers with the rows, pg with a result object holding them.
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as AuditRow[];
  return rows.map((row) => ({
    id: row.id,
    occurredAt: row.occurred_at,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: row.details,
    correlationId: row.correlation_id,
  }));
}

/**
 * The GraphQL resolver of a service's `<service>AuditLog(first, before, action, targetId)` query: admins
 * only, arguments validated, entries in the shared `AuditEntry` shape (see AUDIT_ENTRY_SDL).
 */
export function auditLogResolver(db: AuditExecutor, schema: string) {
  return async (_parent: unknown, args: unknown, context: { principal?: Principal }) => {
    requireAdmin(context.principal);
    const query = parseInput(auditLogQuerySchema, args);
    return (await listAuditEntries(db, schema, query)).map((entry) => ({
      ...entry,
      occurredAt: entry.occurredAt.toISOString(),
      details: JSON.stringify(entry.details),
    }));
  };
}

/**
 * The `AuditEntry` type every subgraph with an audit log declares, word for word (it is @shareable, so the
 * supergraph accepts it from each). Kept here to check the .graphql files against (test/audit-sdl.spec).
 */
export const AUDIT_ENTRY_SDL = `"An admin action: who did what to which thing, and when."
type AuditEntry @shareable {
  "Newest entries have the largest ids; pass the last id of a page as before to get the next."
  id: ID!
  "When it happened (ISO 8601, UTC)."
  occurredAt: String!
  "The employee who acted; null when the system did (CLI tools, start-up)."
  actorId: ID
  "The actor's role at the time."
  actorRole: String
  "What was done, as subject.verb, e.g. employee.create or connection.disconnect."
  action: String!
  "The kind of thing changed, e.g. employee or telegram-connection."
  targetType: String!
  "The id of the thing changed."
  targetId: ID!
  "Facts kept with the entry, as a JSON object (never secrets)."
  details: String!
  "Correlation id of the request that did it, when known."
  correlationId: String
}`;
