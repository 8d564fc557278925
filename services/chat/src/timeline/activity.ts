import type { EntityManager } from 'typeorm';

/**
 * What an activity entry in the timeline says (who did what, when). Stored as JSON on a timeline row of
 * kind 'activity'; the union is the contract between the writer here and the GraphQL view.
 */
export type Activity =
  | { type: 'status-changed'; from: string; to: string }
  | { type: 'taken-into-work'; from: string; to: string }
  | { type: 'ended'; from: string; to: string }
  | { type: 'operators-assigned'; operatorIds: string[] }
  | { type: 'operators-added'; operatorIds: string[] }
  | { type: 'left' };

export async function recordActivity(
  manager: EntityManager,
  entry: { chatId: string; actorEmployeeId: string; activity: Activity },
): Promise<{ id: string; at: string }> {
  const rows = (await manager.query(
    `INSERT INTO chat.messages (chat_id, kind, author_employee_id, activity, sent_at) VALUES ($1, 'activity', $2, $3, now())
     RETURNING id, sent_at`,
    [entry.chatId, entry.actorEmployeeId, JSON.stringify(entry.activity)],
  )) as { id: string; sent_at: Date }[];
  return { id: rows[0]!.id, at: new Date(rows[0]!.sent_at).toISOString() };
}
