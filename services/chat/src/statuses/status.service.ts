import { queryRows } from '@switchboard/persistence';
import { badUserInput, notFound, recordAuditEntry, type AuditEntryInput } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { CHAT_SCHEMA } from '../chat.config';

export interface StatusRecord {
  code: string;
  name: string;
  position: number;
  is_closed: boolean;
}

const COLUMNS = 'code, name, position, is_closed';

/** Who made a status-list change, for its audit entry (decision 0027). */
export type StatusAudit = Pick<AuditEntryInput, 'actor' | 'correlationId'>;

/**
 * The configurable status list (C3). Admins add, rename, reorder and mark statuses closed; codes are
 * stable identifiers (events and filters carry them), so a rename never breaks a subscriber. Every change
 * is audited in its own transaction: the entry exists exactly when the change committed.
 */
export class StatusService {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<StatusRecord[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM chat.statuses ORDER BY position, code`) as Promise<StatusRecord[]>;
  }

  async create(input: { code: string; name: string; isClosed: boolean }, audit: StatusAudit): Promise<StatusRecord> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `INSERT INTO chat.statuses (code, name, position, is_closed)
         SELECT $1, $2, COALESCE(max(position), 0) + 1, $3 FROM chat.statuses
         ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
        [input.code, input.name, input.isClosed],
      )) as StatusRecord[];
      if (!rows[0]) throw new GraphQLError(`Status "${input.code}" already exists`, { extensions: { code: 'CONFLICT', field: 'code' } });
      await recordAuditEntry(manager, CHAT_SCHEMA, {
        ...audit,
        action: 'status.create',
        target: { type: 'chat-status', id: input.code },
        details: { name: rows[0].name, isClosed: rows[0].is_closed, position: rows[0].position },
      });
      return rows[0];
    });
  }

  /**
   * Renames a status and/or marks it closed or open. Audited as status.rename, status.close or
   * status.reopen (one entry per actual change; a call that changes nothing records nothing).
   */
  async update(input: { code: string; name?: string | undefined; isClosed?: boolean | undefined }, audit: StatusAudit): Promise<StatusRecord> {
    return this.dataSource.transaction(async (manager) => {
      // The row as it was, locked, so the audit entry says what the change replaced.
      const before = ((await manager.query(`SELECT ${COLUMNS} FROM chat.statuses WHERE code = $1 FOR UPDATE`, [input.code])) as StatusRecord[])[0];
      if (!before) throw notFound(`Status "${input.code}" does not exist`);
      const rows = (await queryRows(
        manager,
        `UPDATE chat.statuses SET name = COALESCE($2, name), is_closed = COALESCE($3, is_closed) WHERE code = $1 RETURNING ${COLUMNS}`,
        [input.code, input.name ?? null, input.isClosed ?? null],
      )) as StatusRecord[];
      const after = rows[0]!;
      const target = { type: 'chat-status', id: input.code };
      if (after.name !== before.name) {
        await recordAuditEntry(manager, CHAT_SCHEMA, { ...audit, action: 'status.rename', target, details: { from: before.name, to: after.name } });
      }
      if (after.is_closed !== before.is_closed) {
        await recordAuditEntry(manager, CHAT_SCHEMA, { ...audit, action: after.is_closed ? 'status.close' : 'status.reopen', target, details: { name: after.name } });
      }
      return after;
    });
  }

  /** Sets the order; `codes` must name every status exactly once. */
  async reorder(codes: string[], audit: StatusAudit): Promise<StatusRecord[]> {
    await this.dataSource.transaction(async (manager) => {
      const current = ((await manager.query(`SELECT code FROM chat.statuses ORDER BY position, code FOR UPDATE`)) as { code: string }[]).map((r) => r.code);
      const missing = current.filter((c) => !codes.includes(c));
      const unknown = codes.filter((c) => !current.includes(c));
      if (missing.length > 0 || unknown.length > 0 || new Set(codes).size !== codes.length) {
        throw badUserInput(
          `codes must list every status exactly once (missing: ${missing.join(', ') || 'none'}; unknown: ${unknown.join(', ') || 'none'})`,
          'codes',
        );
      }
      await manager.query(
        `UPDATE chat.statuses s SET position = o.position FROM unnest($1::text[]) WITH ORDINALITY AS o(code, position) WHERE s.code = o.code`,
        [codes],
      );
      await recordAuditEntry(manager, CHAT_SCHEMA, {
        ...audit,
        action: 'status.reorder',
        // The list as a whole: there is one per installation.
        target: { type: 'chat-status-list', id: 'chat-statuses' },
        details: { from: current, to: codes },
      });
    });
    return this.list();
  }
}
