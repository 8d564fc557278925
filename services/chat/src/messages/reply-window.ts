import { channelKindSchema, replyWindowOf, type ReplyWindow } from '@switchboard/contracts';
import { GraphQLError } from 'graphql';

/** Anything that runs SQL: the data source, or a transaction's manager (to read under the chat lock). */
interface SqlRunner {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** extensions.code of a send refused because the platform would reject free text now. */
export const REPLY_WINDOW_CLOSED = 'REPLY_WINDOW_CLOSED';
/** extensions.code of a template send on a channel that has no templates. */
export const TEMPLATES_NOT_SUPPORTED = 'TEMPLATES_NOT_SUPPORTED';

/**
 * The chat's reply window now, from the channel's policy (libs/contracts capabilities) and the time of
 * the customer's last message in this chat. Undefined when the chat does not exist.
 */
export async function replyWindowOfChat(runner: SqlRunner, chatId: string, now = new Date()): Promise<ReplyWindow | undefined> {
  const rows = (await runner.query(
    `SELECT c.channel,
            (SELECT max(m.sent_at) FROM chat.messages m WHERE m.chat_id = c.id AND m.kind = 'message' AND m.direction = 'inbound') AS last_inbound_at
     FROM chat.chats c WHERE c.id = $1`,
    [chatId],
  )) as { channel: string; last_inbound_at: Date | null }[];
  const row = rows[0];
  if (!row) return undefined;
  return replyWindowOf({
    channel: channelKindSchema.parse(row.channel),
    lastCustomerMessageAt: row.last_inbound_at ? new Date(row.last_inbound_at) : null,
    now,
  });
}

/** The typed refusal: says what is allowed instead, so a client can offer it without another round trip. */
export function replyWindowClosed(window: ReplyWindow): GraphQLError {
  const alternatives = window.alternatives.map((a) => a.kind).join(', ') || 'nothing until the customer writes again';
  return new GraphQLError(`Free text cannot be sent in this chat now: the customer's reply window is closed (allowed instead: ${alternatives})`, {
    extensions: { code: REPLY_WINDOW_CLOSED, alternatives: window.alternatives.map(replyAlternativeView) },
  });
}

export function replyWindowView(window: ReplyWindow) {
  return {
    freeTextAllowed: window.freeTextAllowed,
    until: window.until?.toISOString() ?? null,
    alternatives: window.alternatives.map(replyAlternativeView),
  };
}

function replyAlternativeView(alternative: ReplyWindow['alternatives'][number]) {
  return alternative.kind === 'template'
    ? { kind: 'TEMPLATE', tag: null, until: alternative.until?.toISOString() ?? null }
    : { kind: 'MESSAGE_TAG', tag: alternative.tag, until: alternative.until.toISOString() };
}
