import { queryRows } from '@switchboard/persistence';
import { ForbiddenError, badUserInput, type Principal } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { chatNotFound, canSee, loadViewer } from '../access/viewer';
import { TEMPLATE_VARIABLES, firstName, renderTemplate, unknownVariables, type TemplateVariable } from './canned-answer.template';

export interface CannedAnswerRecord {
  id: string;
  owner_employee_id: string | null;
  shortcode: string;
  title: string;
  body: string;
  created_at: Date;
  updated_at: Date;
}

export interface CannedAnswerInput {
  shortcode: string;
  title: string;
  body: string;
}

const UNIQUE_VIOLATION = '23505';

/**
 * Canned answers (C8): a personal set per employee and a shared set everyone uses (admins curate it).
 * Operators find them by shortcode ("/" in the reply box) and render them for a chat before sending.
 */
export class CannedAnswerService {
  constructor(private readonly dataSource: DataSource) {}

  /** The caller's personal answers and the shared ones, optionally filtered by shortcode or title prefix. */
  list(principal: Principal, filter: { query?: string | undefined }): Promise<CannedAnswerRecord[]> {
    const args: unknown[] = [principal.employeeId];
    let where = '';
    if (filter.query) {
      args.push(`${filter.query.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`);
      where = `AND (lower(shortcode) LIKE $2 OR lower(title) LIKE $2)`;
    }
    return this.dataSource.query(
      `SELECT * FROM chat.canned_answers WHERE (owner_employee_id = $1 OR owner_employee_id IS NULL) ${where}
       ORDER BY owner_employee_id NULLS LAST, lower(shortcode)`,
      args,
    ) as Promise<CannedAnswerRecord[]>;
  }

  async create(principal: Principal, input: CannedAnswerInput & { shared: boolean }): Promise<CannedAnswerRecord> {
    if (input.shared && principal.role !== 'admin') throw new ForbiddenError('Only admins may add shared canned answers');
    assertKnownVariables(input.body);
    try {
      const rows = (await this.dataSource.query(
        `INSERT INTO chat.canned_answers (owner_employee_id, shortcode, title, body, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [input.shared ? null : principal.employeeId, input.shortcode, input.title, input.body, principal.employeeId],
      )) as CannedAnswerRecord[];
      return rows[0]!;
    } catch (error) {
      throw shortcodeTaken(error, input.shortcode);
    }
  }

  async update(principal: Principal, input: CannedAnswerInput & { id: string }): Promise<CannedAnswerRecord> {
    await this.editable(principal, input.id);
    assertKnownVariables(input.body);
    try {
      const rows = await queryRows<CannedAnswerRecord>(
        this.dataSource,
        `UPDATE chat.canned_answers SET shortcode = $2, title = $3, body = $4, updated_at = now() WHERE id = $1 RETURNING *`,
        [input.id, input.shortcode, input.title, input.body],
      );
      return rows[0]!;
    } catch (error) {
      throw shortcodeTaken(error, input.shortcode);
    }
  }

  async delete(principal: Principal, id: string): Promise<void> {
    await this.editable(principal, id);
    await this.dataSource.query(`DELETE FROM chat.canned_answers WHERE id = $1`, [id]);
  }

  /** The answer's text for one chat, with the chat's and the caller's values filled in. */
  async render(principal: Principal, input: { id: string; chatId: string }): Promise<{ text: string; missing: TemplateVariable[] }> {
    const answer = await this.visible(principal, input.id);
    const viewer = await loadViewer(this.dataSource, principal);
    const chats = (await this.dataSource.query(
      `SELECT c.number, c.connection_id, c.operator_ids, c.connection_display_name, cu.display_name, cu.username
       FROM chat.chats c JOIN chat.customers cu ON cu.id = c.customer_id WHERE c.id = $1`,
      [input.chatId],
    )) as { number: string; connection_id: string; operator_ids: string[]; connection_display_name: string; display_name: string; username: string | null }[];
    const chat = chats[0];
    if (!chat || !canSee(viewer, chat)) throw chatNotFound(input.chatId);
    return renderTemplate(answer.body, {
      'customer.name': chat.display_name,
      'customer.firstName': firstName(chat.display_name),
      'customer.username': chat.username,
      'operator.name': principal.name,
      'operator.firstName': firstName(principal.name),
      'chat.number': chat.number,
      'source.name': chat.connection_display_name,
    });
  }

  private async visible(principal: Principal, id: string): Promise<CannedAnswerRecord> {
    const rows = (await this.dataSource.query(`SELECT * FROM chat.canned_answers WHERE id = $1 AND (owner_employee_id = $2 OR owner_employee_id IS NULL)`, [
      id,
      principal.employeeId,
    ])) as CannedAnswerRecord[];
    if (!rows[0]) throw new GraphQLError(`Canned answer ${id} does not exist`, { extensions: { code: 'NOT_FOUND' } });
    return rows[0];
  }

  private async editable(principal: Principal, id: string): Promise<CannedAnswerRecord> {
    const answer = await this.visible(principal, id);
    if (answer.owner_employee_id === null && principal.role !== 'admin') throw new ForbiddenError('Only admins may change shared canned answers');
    return answer;
  }
}

function assertKnownVariables(body: string): void {
  const unknown = unknownVariables(body);
  if (unknown.length > 0) {
    throw badUserInput(`Unknown variables: ${unknown.map((v) => `{{${v}}}`).join(', ')}. Known: ${Object.keys(TEMPLATE_VARIABLES).join(', ')}`, 'body');
  }
}

function shortcodeTaken(error: unknown, shortcode: string): unknown {
  const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
  if (code === UNIQUE_VIOLATION) return new GraphQLError(`Shortcode "${shortcode}" is already used`, { extensions: { code: 'CONFLICT', field: 'shortcode' } });
  return error;
}
