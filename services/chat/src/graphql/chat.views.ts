import type { ChatRecord, MessageRecord } from '../chats/chat-query.service';
import type { CannedAnswerRecord } from '../canned-answers/canned-answer.service';
import type { StatusRecord } from '../statuses/status.service';
import type { Activity } from '../timeline/activity';

/** Database rows to GraphQL shapes. Enums are UPPER_SNAKE on the wire and lower-kebab in storage. */
export const upper = (value: string) => value.toUpperCase().replace(/-/g, '_');

export const employeeRef = (id: string) => ({ __typename: 'Employee', id });

function iso(value: Date | null): string | null {
  return value ? new Date(value).toISOString() : null;
}

export function chatView(row: ChatRecord) {
  return {
    id: row.id,
    number: Number(row.number),
    source: { channel: upper(row.channel), connectionId: row.connection_id, displayName: row.connection_display_name },
    customer: {
      id: row.customer_id,
      displayName: row.customer_display_name,
      username: row.customer_username,
      phone: row.customer_phone,
      profileUrl: row.customer_profile_url,
    },
    status: { code: row.status_code, name: row.status_name, isClosed: row.status_is_closed, position: row.status_position },
    unanswered: row.unanswered,
    operators: row.operator_ids.map(employeeRef),
    unreadCount: row.unread_count,
    lastMessageAt: iso(row.last_message_at),
    lastMessagePreview: row.last_message_preview,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function messageView(row: MessageRecord) {
  return {
    __typename: 'Message',
    id: row.id,
    direction: upper(row.direction ?? 'inbound'),
    text: row.text,
    attachments: row.attachments,
    location: row.location,
    contact: row.contact,
    placeholder: row.placeholder,
    reactions: row.reactions,
    sentAt: new Date(row.sent_at).toISOString(),
    editedAt: iso(row.edited_at),
    deleted: row.deleted_at !== null,
    author: row.author_employee_id ? employeeRef(row.author_employee_id) : null,
    deliveryState: row.delivery_state ? upper(row.delivery_state) : null,
    failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
  };
}

export function noteView(row: MessageRecord) {
  return { __typename: 'Note', id: row.id, text: row.text ?? '', author: employeeRef(row.author_employee_id!), createdAt: new Date(row.sent_at).toISOString() };
}

export function activityView(row: MessageRecord) {
  const activity = row.activity as Activity;
  const status = 'from' in activity ? { fromStatus: activity.from, toStatus: activity.to } : { fromStatus: null, toStatus: null };
  return {
    __typename: 'ActivityEntry',
    id: row.id,
    type: upper(activity.type),
    actor: employeeRef(row.author_employee_id!),
    at: new Date(row.sent_at).toISOString(),
    ...status,
    operators: 'operatorIds' in activity ? activity.operatorIds.map(employeeRef) : [],
  };
}

export function timelineItemView(row: MessageRecord) {
  if (row.kind === 'note') return noteView(row);
  if (row.kind === 'activity') return activityView(row);
  return messageView(row);
}

export function statusView(row: StatusRecord) {
  return { code: row.code, name: row.name, isClosed: row.is_closed, position: row.position };
}

export function cannedAnswerView(row: CannedAnswerRecord) {
  return { id: row.id, shortcode: row.shortcode, title: row.title, body: row.body, shared: row.owner_employee_id === null };
}
