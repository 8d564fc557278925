import type { ChatLiveEvent, ReminderLiveEvent } from '../graphql/operations';

/** Something the operator should notice now: a reminder that fired, or a chat that just arrived. */
export type Notice =
  | { key: string; kind: 'reminder'; text: string; chatId: string | null; chatNumber: number | null }
  | { key: string; kind: 'chat'; chatId: string; chatNumber: number | null; customer: string | null };

export type NoticeAction = { type: 'add'; notice: Notice } | { type: 'dismiss'; key: string };

/** More than this on screen hides the chat; the oldest go first. */
export const MAX_NOTICES = 5;

type Json = Record<string, unknown>;

function asObject(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

/** The event's `data` (JSON, documented per type in docs/events); a malformed one is reported, not hidden. */
function eventData(data: string | null): Json {
  if (!data) return {};
  try {
    return asObject(JSON.parse(data)) ?? {};
  } catch (error) {
    console.error('live event data is not JSON', error);
    return {};
  }
}

/** tasks.reminder-fired: one notice per firing (a rescheduled reminder that fires again is new). */
export function reminderNotice(event: ReminderLiveEvent): Notice | null {
  if (event.type !== 'tasks.reminder-fired' || !event.reminderId) return null;
  const data = eventData(event.data);
  const chat = asObject(data['chat']);
  return {
    key: `reminder:${event.reminderId}:${typeof data['firing'] === 'number' ? data['firing'] : event.cursor}`,
    kind: 'reminder',
    text: typeof data['text'] === 'string' ? data['text'] : '',
    chatId: typeof chat?.['chatId'] === 'string' ? chat['chatId'] : null,
    chatNumber: typeof chat?.['chatNumber'] === 'number' ? chat['chatNumber'] : null,
  };
}

/** chat.created: a customer opened a new chat the operator may see. */
export function newChatNotice(event: ChatLiveEvent): Notice | null {
  if (event.type !== 'chat.created' || !event.chatId) return null;
  const data = eventData(event.data);
  const customer = asObject(data['customer']);
  return {
    key: `chat:${event.chatId}`,
    kind: 'chat',
    chatId: event.chatId,
    chatNumber: typeof data['chatNumber'] === 'number' ? data['chatNumber'] : null,
    customer: typeof customer?.['displayName'] === 'string' ? customer['displayName'] : null,
  };
}

/** Newest first; the same notice twice (a replayed event) shows once. */
export function noticesReducer(notices: readonly Notice[], action: NoticeAction): readonly Notice[] {
  if (action.type === 'dismiss') return notices.filter((notice) => notice.key !== action.key);
  if (notices.some((notice) => notice.key === action.notice.key)) return notices;
  return [action.notice, ...notices].slice(0, MAX_NOTICES);
}
