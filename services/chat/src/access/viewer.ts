import { AuthenticationError, notFound, type Principal } from '@switchboard/service-kit';
import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * Who is looking, as far as chat visibility goes (issue 4 permissions): admins see every chat; an
 * operator sees the chats of the connections they are a member of (unassigned ones included) and the
 * chats they are an operator of. Every read and every action goes through this, in the chat service.
 */
export interface Viewer {
  employeeId: string;
  name: string;
  isAdmin: boolean;
  connectionIds: string[];
}

/**
 * The employee as this service knows them (chat.employees, from identity's events) overrides the token:
 * a deactivated employee is refused and a changed role applies at once, not when the token expires. An
 * employee not known here yet (events still on their way) is taken as the token says.
 */
export async function loadViewer(db: Queryable, principal: Principal): Promise<Viewer> {
  const rows = (await db.query(
    `SELECT e.role, e.active, ARRAY(SELECT m.connection_id FROM chat.connection_members m WHERE m.employee_id = $1)::text[] AS connection_ids
     FROM (VALUES (1)) AS one LEFT JOIN chat.employees e ON e.id = $1`,
    [principal.employeeId],
  )) as { role: 'admin' | 'operator' | null; active: boolean | null; connection_ids: string[] }[];
  const row = rows[0]!;
  if (row.active === false) throw new AuthenticationError('Your employee account is deactivated');
  const isAdmin = (row.role ?? principal.role) === 'admin';
  return { employeeId: principal.employeeId, name: principal.name, isAdmin, connectionIds: isAdmin ? [] : row.connection_ids };
}

/**
 * The SQL condition "viewer may see chat `alias`", appending its parameters to `args`.
 * Kept as one function so list, search, counts, chat(id) and actions cannot disagree. `connectionIds`
 * may narrow the memberships to those a filter can match (see ChatQueryService), never widen them.
 */
export function visibleChatCondition(viewer: Viewer, args: unknown[], alias = 'c', connectionIds: readonly string[] = viewer.connectionIds): string {
  if (viewer.isAdmin) return 'TRUE';
  args.push(connectionIds, viewer.employeeId);
  const connections = `$${args.length - 1}::uuid[]`;
  const me = `$${args.length}::uuid`;
  // operator_ids @> ARRAY[me], not me = ANY(operator_ids): only the containment operator is served by the GIN index.
  return `(${alias}.connection_id = ANY(${connections}) OR ${alias}.operator_ids @> ARRAY[${me}])`;
}

/**
 * A part of what a viewer may see, as the rows a list page walks newest-first:
 * - `chats`: chats of chat.chats (alias `c`) matching `condition`;
 * - `operator`: the chats `employee` (an SQL parameter) is an operator of, read from chat.chat_operators
 *   (alias `o`, one row per chat and operator, kept from chats.operator_ids by triggers, migration 0008)
 *   where `condition` holds. `o` copies the chat's activity time and its small filter columns.
 */
export type VisibleSlice =
  /**
   * `covered`: the walk's index holds the list's filter columns (chats_connection_activity_idx and
   * chats_channel_activity_idx, migration 0009), so a filtered walk can be index-only.
   */
  | { kind: 'chats'; condition: string; covered?: boolean }
  /** `ofFilter`: `employee` is one of the operator filter's, so that filter holds for every row walked. */
  | { kind: 'operator'; employee: string; condition: string; ofFilter?: boolean };

/**
 * The same rule as visibleChatCondition, as disjoint slices whose union is exactly what the viewer may
 * see: everything for an admin; for an operator, each of `connectionIds` (their memberships, or the part
 * of them a filter can match) and the chats they are an operator of outside all their memberships.
 * A list page is the newest of the slices' newest pages: each connection walks its own activity index
 * and the operator's own chats walk their chat_operators rows, so an operator's page costs the same
 * whether their connections hold most chats or a few. `ownChats: false` leaves out the operator's own
 * chats, for a filter none of them can match (unassigned).
 */
export function visibleChatSlices(viewer: Viewer, args: unknown[], connectionIds: readonly string[] = viewer.connectionIds, ownChats = true): VisibleSlice[] {
  if (viewer.isAdmin) return [{ kind: 'chats', condition: 'TRUE' }];
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  const slices: VisibleSlice[] = connectionIds.map((id) => ({ kind: 'chats', condition: `c.connection_id = ${param(id, 'uuid')}`, covered: true }));
  if (ownChats) slices.push(ownChatsOutsideMemberships(viewer, param));
  return slices;
}

/**
 * The visible chats that `employeeIds` operate (the operator filter), as disjoint-enough slices (a chat
 * with two of them appears in both; the page's union removes the repeat): for an admin each employee's
 * chats; for an operator each employee's chats in `connectionIds` (the viewer's memberships a filter can
 * match) plus the viewer's own chats outside their memberships, where the caller must still apply the
 * operator filter to the chat.
 */
export function operatorFilterSlices(viewer: Viewer, args: unknown[], employeeIds: readonly string[], connectionIds: readonly string[] = viewer.connectionIds): VisibleSlice[] {
  const param = (value: unknown, type: string) => {
    args.push(value);
    return `$${args.length}::${type}`;
  };
  if (viewer.isAdmin) return employeeIds.map((id) => ({ kind: 'operator', employee: param(id, 'uuid'), condition: 'TRUE', ofFilter: true }));
  const slices: VisibleSlice[] = [];
  if (connectionIds.length > 0) {
    const connections = param(connectionIds, 'uuid[]');
    for (const id of employeeIds) slices.push({ kind: 'operator', employee: param(id, 'uuid'), condition: `o.connection_id = ANY(${connections})`, ofFilter: true });
  }
  slices.push(ownChatsOutsideMemberships(viewer, param));
  return slices;
}

/** An operator's own chats outside all of their memberships (those inside are in the connection slices). */
function ownChatsOutsideMemberships(viewer: Viewer, param: (value: unknown, type: string) => string): VisibleSlice {
  return { kind: 'operator', employee: param(viewer.employeeId, 'uuid'), condition: `NOT (o.connection_id = ANY(${param(viewer.connectionIds, 'uuid[]')}))` };
}

export function canSee(viewer: Viewer, chat: { connection_id: string; operator_ids: string[] }): boolean {
  return viewer.isAdmin || viewer.connectionIds.includes(chat.connection_id) || chat.operator_ids.includes(viewer.employeeId);
}

/** The answer for a chat that does not exist and for one the caller may not see: never reveal which. */
export function chatNotFound(chatId: string) {
  return notFound(`Chat ${chatId} does not exist or you may not see it`);
}

export interface LockedChat {
  id: string;
  number: string;
  chat_key: string;
  channel: string;
  connection_id: string;
  connection_display_name: string;
  external_chat_id: string;
  status_code: string;
  operator_ids: string[];
  customer_display_name: string;
}

/** Locks a chat the viewer may see for the rest of the transaction; NOT_FOUND otherwise. */
export async function lockVisibleChat(manager: EntityManager, viewer: Viewer, chatId: string): Promise<LockedChat> {
  const rows = (await manager.query(
    `SELECT c.id, c.number, c.chat_key, c.channel, c.connection_id, c.connection_display_name, c.external_chat_id,
            c.status_code, c.operator_ids, cu.display_name AS customer_display_name
     FROM chat.chats c JOIN chat.customers cu ON cu.id = c.customer_id WHERE c.id = $1 FOR UPDATE OF c`,
    [chatId],
  )) as LockedChat[];
  const chat = rows[0];
  if (!chat || !canSee(viewer, chat)) throw chatNotFound(chatId);
  return chat;
}
