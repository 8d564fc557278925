import type { ReferenceRow } from '../common/item-references';

export const REMINDER_STATES = ['scheduled', 'fired', 'cancelled'] as const;
export type ReminderState = (typeof REMINDER_STATES)[number];

export interface ReminderRow extends ReferenceRow {
  id: string;
  owner_id: string;
  text: string;
  fire_at: Date;
  state: ReminderState;
  firings: number;
  fired_at: Date | null;
  cancelled_at: Date | null;
  cancel_reason: 'by-owner' | 'chat-deleted' | null;
  created_at: Date;
  /** fire_at as text: what the page cursor carries (full precision, unlike a JS Date). */
  sort_key: string;
}

export const REMINDER_COLUMNS = `id, owner_id, text, fire_at, state, firings, fired_at, cancelled_at, cancel_reason, created_at,
  chat_id, chat_number, entity_kind, entity_id, fire_at::text AS sort_key`;
