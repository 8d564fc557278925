import { queryRows } from '@switchboard/persistence';
import { badUserInput, notFound } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';

export interface StatusRecord {
  code: string;
  name: string;
  position: number;
  is_closed: boolean;
}

const COLUMNS = 'code, name, position, is_closed';

/**
 * The configurable status list (C3). Admins add, rename, reorder and mark statuses closed; codes are
 * stable identifiers (events and filters carry them), so a rename never breaks a subscriber.
 */
export class StatusService {
  constructor(private readonly dataSource: DataSource) {}

  list(): Promise<StatusRecord[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM chat.statuses ORDER BY position, code`) as Promise<StatusRecord[]>;
  }

  async create(input: { code: string; name: string; isClosed: boolean }): Promise<StatusRecord> {
    const rows = (await this.dataSource.query(
      `INSERT INTO chat.statuses (code, name, position, is_closed)
       SELECT $1, $2, COALESCE(max(position), 0) + 1, $3 FROM chat.statuses
       ON CONFLICT (code) DO NOTHING RETURNING ${COLUMNS}`,
      [input.code, input.name, input.isClosed],
    )) as StatusRecord[];
    if (!rows[0]) throw new GraphQLError(`Status "${input.code}" already exists`, { extensions: { code: 'CONFLICT', field: 'code' } });
    return rows[0];
  }

  async update(input: { code: string; name?: string | undefined; isClosed?: boolean | undefined }): Promise<StatusRecord> {
    const rows = (await queryRows(
      this.dataSource,
      `UPDATE chat.statuses SET name = COALESCE($2, name), is_closed = COALESCE($3, is_closed) WHERE code = $1 RETURNING ${COLUMNS}`,
      [input.code, input.name ?? null, input.isClosed ?? null],
    )) as StatusRecord[];
    if (!rows[0]) throw notFound(`Status "${input.code}" does not exist`);
    return rows[0];
  }

  /** Sets the order; `codes` must name every status exactly once. */
  async reorder(codes: string[]): Promise<StatusRecord[]> {
    await this.dataSource.transaction(async (manager) => {
      const current = ((await manager.query(`SELECT code FROM chat.statuses FOR UPDATE`)) as { code: string }[]).map((r) => r.code);
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
    });
    return this.list();
  }
}
