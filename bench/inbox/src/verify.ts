import type { Viewer } from '@switchboard/chat/src/access/viewer';
import type { ChatListFilter, ChatQueryService } from '@switchboard/chat/src/chats/chat-query.service';
import { chatNumberOf } from '@switchboard/chat/src/search/search-sql';
import { containsPattern, searchTerms } from '@switchboard/chat/src/search/search-terms';
import type { DataSource } from 'typeorm';
import { LIST_CASES } from './scenarios';

/** Small enough that most filters at --scale 0.01 reach it, and some do not. */
const CAPPED_COUNTS_UP_TO = 100;

/**
 * Checks that the product's list pages and tab counts are exactly what the plain definition gives: one
 * query with the visibility rule of decision 0010 and the filters of docs/api.md, written here
 * independently of the product's SQL (which is shaped for speed). Returns the mismatches.
 */
export async function verifyLists(
  ctx: { dataSource: DataSource; queries: ChatQueryService; admin: Viewer; operators: Viewer[] },
  iterations: number,
  only: RegExp | undefined,
  progress: (line: string) => void,
): Promise<string[]> {
  const problems: string[] = [];
  let checked = 0;
  for (const c of LIST_CASES.filter((c) => !only || only.test(`list: ${c.name}`))) {
    for (let i = 0; i < iterations; i++) {
      for (const viewer of [ctx.admin, ctx.operators[i % ctx.operators.length]!]) {
        const filter = c.filter(i, viewer);
        const first = await ctx.queries.listChats(viewer, { filter, first: 30 });
        const pages = [first];
        if (first.hasNextPage) pages.push(await ctx.queries.listChats(viewer, { filter, first: 30, after: first.cursors[first.cursors.length - 1] }));
        const expected = await referenceIds(ctx.dataSource, viewer, filter, 62);
        const actual = pages.flatMap((p) => p.items.map((r) => r.id));
        if (JSON.stringify(actual) !== JSON.stringify(expected.slice(0, actual.length)) || (actual.length < 60 && actual.length !== expected.length)) {
          problems.push(`list "${c.name}" iteration ${i} as ${viewer.isAdmin ? 'admin' : 'operator'}: ${actual.length} ids differ from the reference's ${expected.length}`);
        }
        const counts = await ctx.queries.countChats(viewer, filter);
        const expectedCounts = await referenceCounts(ctx.dataSource, viewer, filter);
        if (JSON.stringify(counts) !== JSON.stringify(expectedCounts)) {
          problems.push(`counts "${c.name}" iteration ${i} as ${viewer.isAdmin ? 'admin' : 'operator'}: ${JSON.stringify(counts)} != ${JSON.stringify(expectedCounts)}`);
        }
        // Capped counts are the list's own walks stopping at the cap: the exact counts, cut there.
        const capped = await ctx.queries.countChatsUpTo(viewer, filter, CAPPED_COUNTS_UP_TO);
        const expectedCapped = Object.fromEntries(Object.entries(expectedCounts).map(([tab, n]) => [tab, Math.min(n as number, CAPPED_COUNTS_UP_TO)]));
        if (JSON.stringify(capped) !== JSON.stringify(expectedCapped)) {
          problems.push(`counts up to ${CAPPED_COUNTS_UP_TO} "${c.name}" iteration ${i} as ${viewer.isAdmin ? 'admin' : 'operator'}: ${JSON.stringify(capped)} != ${JSON.stringify(expectedCapped)}`);
        }
        checked++;
      }
    }
    progress(`verify: ${c.name}: ${checked} checks so far, ${problems.length} mismatches`);
  }
  return problems;
}

function referenceWhere(viewer: Viewer, filter: ChatListFilter, args: unknown[], withType: boolean): string {
  const p = (value: unknown) => {
    args.push(value);
    return `$${args.length}`;
  };
  const where = [viewer.isAdmin ? 'TRUE' : `(c.connection_id = ANY(${p(viewer.connectionIds)}::uuid[]) OR ${p(viewer.employeeId)}::uuid = ANY(c.operator_ids))`];
  if (filter.channels?.length) where.push(`c.channel = ANY(${p(filter.channels)}::text[])`);
  if (filter.statusCodes?.length) where.push(`c.status_code = ANY(${p(filter.statusCodes)}::text[])`);
  if (filter.operatorIds?.length) where.push(`c.operator_ids && ${p(filter.operatorIds)}::uuid[]`);
  if (filter.search) {
    const patterns = p(searchTerms(filter.search).map(containsPattern));
    const number = chatNumberOf(filter.search);
    where.push(`(EXISTS (SELECT 1 FROM chat.messages m WHERE m.chat_id = c.id AND m.kind IN ('message', 'note') AND chat.search_norm(m.text) LIKE ALL(${patterns}::text[]))
      OR EXISTS (SELECT 1 FROM chat.customers cu WHERE cu.id = c.customer_id
                 AND chat.search_norm(cu.display_name || ' ' || COALESCE(cu.username, '') || ' ' || COALESCE(cu.phone, '')) LIKE ALL(${patterns}::text[]))
      ${number !== undefined ? `OR c.number = ${p(number)}` : ''})`);
  }
  if (withType && filter.type === 'unassigned') where.push('cardinality(c.operator_ids) = 0');
  if (withType && filter.type === 'assigned_to_me') where.push(`${p(viewer.employeeId)}::uuid = ANY(c.operator_ids)`);
  if (withType && filter.type === 'unanswered') where.push('c.unanswered');
  return where.join(' AND ');
}

async function referenceIds(dataSource: DataSource, viewer: Viewer, filter: ChatListFilter, limit: number): Promise<string[]> {
  const args: unknown[] = [limit];
  const where = referenceWhere(viewer, filter, args, true);
  const rows = (await dataSource.query(`SELECT c.id FROM chat.chats c WHERE ${where} ORDER BY c.last_message_at DESC, c.id DESC LIMIT $1`, args)) as { id: string }[];
  return rows.map((r) => r.id);
}

async function referenceCounts(dataSource: DataSource, viewer: Viewer, filter: ChatListFilter) {
  const args: unknown[] = [viewer.employeeId];
  const where = referenceWhere(viewer, filter, args, false);
  const rows = (await dataSource.query(
    `SELECT count(*)::int AS "all", count(*) FILTER (WHERE cardinality(c.operator_ids) = 0)::int AS unassigned,
            count(*) FILTER (WHERE $1::uuid = ANY(c.operator_ids))::int AS "assignedToMe", count(*) FILTER (WHERE c.unanswered)::int AS unanswered
     FROM chat.chats c WHERE ${where}`,
    args,
  )) as { all: number; unassigned: number; assignedToMe: number; unanswered: number }[];
  const row = rows[0]!;
  return { all: row.all, unassigned: row.unassigned, assignedToMe: row.assignedToMe, unanswered: row.unanswered };
}
