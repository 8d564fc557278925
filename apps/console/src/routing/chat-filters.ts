import type { Channel, ChatListType } from '../graphql/schema-types';

/** Every messenger the API knows, in the order the filter shows them. */
export const CHANNELS = [
  'TELEGRAM',
  'VIBER',
  'WHATSAPP',
  'MESSENGER',
  'INSTAGRAM',
  'FACEBOOK_COMMENTS',
  'INSTAGRAM_COMMENTS',
  'TELEGRAM_USER',
  'BRIDGE',
] as const satisfies readonly Channel[];

export const CHAT_LIST_TYPES = ['ALL', 'UNASSIGNED', 'ASSIGNED_TO_ME', 'UNANSWERED'] as const satisfies readonly ChatListType[];

/** The chat list's filters (L1-L6) as the page holds them, and as the URL keeps them. */
export interface ChatFilterState {
  channels: Channel[];
  type: ChatListType;
  operatorIds: string[];
  statusCodes: string[];
  search: string;
  /** "Фільтри": whether the filter block is shown. */
  expanded: boolean;
}

export const EMPTY_FILTERS: ChatFilterState = { channels: [], type: 'ALL', operatorIds: [], statusCodes: [], search: '', expanded: false };

/** The variables of `chats(filter:)`: empty choices are left out, since an empty list would match nothing. */
export interface ChatFilterVariables {
  channels?: Channel[];
  type: ChatListType;
  operatorIds?: string[];
  statusCodes?: string[];
  search?: string;
}

const PARAM = { channels: 'channels', type: 'type', operators: 'operators', statuses: 'statuses', search: 'q', expanded: 'filters' } as const;

function list(params: URLSearchParams, name: string): string[] {
  const values = params
    .getAll(name)
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
  return [...new Set(values)];
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/**
 * Reads the filters from a URL query string. Unknown messengers and types are dropped rather than sent to
 * the API, so a hand-edited or old link still opens a working list.
 */
export function parseChatFilters(search: string): ChatFilterState {
  const params = new URLSearchParams(search);
  const type = params.get(PARAM.type)?.toUpperCase() ?? 'ALL';
  return {
    channels: list(params, PARAM.channels)
      .map((value) => value.toUpperCase())
      .filter((value): value is Channel => isOneOf(CHANNELS, value)),
    type: isOneOf(CHAT_LIST_TYPES, type) ? type : 'ALL',
    operatorIds: list(params, PARAM.operators),
    statusCodes: list(params, PARAM.statuses),
    search: params.get(PARAM.search) ?? '',
    expanded: params.get(PARAM.expanded) === '1',
  };
}

/**
 * The canonical query string for the filters (defaults left out, choices sorted), so one view has one
 * link whatever order the choices were clicked in. Empty when nothing is filtered; otherwise starts with "?".
 */
export function formatChatFilters(state: ChatFilterState): string {
  const params = new URLSearchParams();
  const sorted = (values: readonly string[]) => [...new Set(values)].sort().join(',');
  if (state.channels.length) params.set(PARAM.channels, sorted(state.channels));
  if (state.type !== 'ALL') params.set(PARAM.type, state.type);
  if (state.operatorIds.length) params.set(PARAM.operators, sorted(state.operatorIds));
  if (state.statusCodes.length) params.set(PARAM.statuses, sorted(state.statusCodes));
  if (state.search.trim()) params.set(PARAM.search, state.search.trim());
  if (state.expanded) params.set(PARAM.expanded, '1');
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The `ChatFilter` input for the API. Filters combine with AND, the choices inside one with OR (L6). */
export function toChatFilterVariables(state: ChatFilterState): ChatFilterVariables {
  const variables: ChatFilterVariables = { type: state.type };
  if (state.channels.length) variables.channels = [...state.channels];
  if (state.operatorIds.length) variables.operatorIds = [...state.operatorIds];
  if (state.statusCodes.length) variables.statusCodes = [...state.statusCodes];
  const search = state.search.trim();
  if (search) variables.search = search;
  return variables;
}

/** Adds or removes one choice of a multi-choice filter. */
export function toggleChoice<T extends string>(values: readonly T[], value: T): T[] {
  return values.includes(value) ? values.filter((v) => v !== value) : [...values, value];
}
