import type { DataSource } from 'typeorm';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';
import type { CommentRecord } from './meta-webhook.normaliser';

const T = `"${CHANNEL_META_SCHEMA}".comments`;
const SENT = `"${CHANNEL_META_SCHEMA}".sent_commands`;

export interface StoredComment extends CommentRecord {
  privateReplyAt: Date | null;
}

interface CommentRow {
  comment_id: string;
  connection_id: string;
  source: 'facebook' | 'instagram';
  chat_key: string;
  post_id: string;
  commenter_id: string;
  created_at: Date;
  private_reply_at: Date | null;
}

/** Customers' comments (the target of answers and of the one private reply each), and our own sends' mids. */
export class CommentRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: Meta redelivers, and boosted posts duplicate comment webhooks. */
  async remember(comments: readonly CommentRecord[]): Promise<void> {
    if (comments.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO ${T} (comment_id, connection_id, source, chat_key, post_id, commenter_id, created_at)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
       ON CONFLICT (comment_id) DO NOTHING`,
      [
        comments.map((c) => c.commentId),
        comments.map((c) => c.connectionId),
        comments.map((c) => c.source),
        comments.map((c) => c.chatKey),
        comments.map((c) => c.postId),
        comments.map((c) => c.commenterId),
        comments.map((c) => c.createdAt.toISOString()),
      ],
    );
  }

  /** The comment an answer in this chat goes under: the one named, if it belongs to the chat, else the newest. */
  async target(chatKey: string, commentId: string | undefined): Promise<StoredComment | undefined> {
    const rows: CommentRow[] = await this.dataSource.query(
      `SELECT * FROM ${T} WHERE chat_key = $1 AND ($2::text IS NULL OR comment_id = $2) ORDER BY created_at DESC LIMIT 1`,
      [chatKey, commentId ?? null],
    );
    const row = rows[0];
    return row
      ? {
          commentId: row.comment_id,
          connectionId: row.connection_id,
          source: row.source,
          chatKey: row.chat_key,
          postId: row.post_id,
          commenterId: row.commenter_id,
          createdAt: new Date(row.created_at),
          privateReplyAt: row.private_reply_at,
        }
      : undefined;
  }

  /** Claims the comment's one private reply before Meta is called; false when it was already used. */
  async claimPrivateReply(commentId: string): Promise<boolean> {
    // Wrapped in a SELECT: TypeORM answers a bare UPDATE ... RETURNING with [rows, count], not the rows.
    const rows: unknown[] = await this.dataSource.query(
      `WITH claimed AS (UPDATE ${T} SET private_reply_at = now() WHERE comment_id = $1 AND private_reply_at IS NULL RETURNING comment_id)
       SELECT comment_id FROM claimed`,
      [commentId],
    );
    return rows.length > 0;
  }

  async completePrivateReply(commentId: string, messageId: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET private_reply_message_id = $2 WHERE comment_id = $1`, [commentId, messageId]);
  }

  /** Gives the claim back when Meta refused the reply for a reason that does not use it up. */
  async releasePrivateReply(commentId: string): Promise<void> {
    await this.dataSource.query(`UPDATE ${T} SET private_reply_at = NULL WHERE comment_id = $1 AND private_reply_message_id IS NULL`, [commentId]);
  }

  /** Which of these mids are messages this connector sent (their echoes are not mirrored). */
  async ownMids(mids: readonly string[]): Promise<Set<string>> {
    if (mids.length === 0) return new Set();
    const rows: { mid: string }[] = await this.dataSource.query(
      `SELECT platform_message_id AS mid FROM ${SENT} WHERE platform_message_id = ANY($1::text[])
       UNION SELECT private_reply_message_id FROM ${T} WHERE private_reply_message_id = ANY($1::text[])`,
      [mids],
    );
    return new Set(rows.map((r) => r.mid));
  }
}
