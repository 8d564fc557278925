import type { DataSource } from 'typeorm';
import { visibleChatCondition, type Viewer } from '../access/viewer';
import type { ChatQueryService, ChatRecord, MessageRecord, Page } from '../chats/chat-query.service';
import { decodeCursor, encodeCursor } from '../chats/cursor';
import { highlight, matchScore, type HighlightedText } from './highlight';
import { searchTerms } from './search-terms';
import { chatNumberOf, messageContainsAll } from './search-sql';

/** How many chats matching through their customer a global search ranks (and the chat number: one). */
const CANDIDATE_CHATS = 200;
/**
 * Chats found through a matching message: the walk that finds them probes chats newest first until it has
 * this many, so its cost grows with it; three pages of the UI's 20.
 */
const MESSAGE_CANDIDATE_CHATS = 60;
/** A chat's newest matching messages whose best-scoring one stands for the chat. */
const MESSAGES_PER_CHAT = 3;

export interface ChatSearchHit {
  chat: ChatRecord;
  score: number;
  /** What matched: the customer (name, username, phone), the chat number, or a message or note. */
  matchedIn: 'customer' | 'number' | 'message';
  message: MessageRecord | undefined;
  fragment: HighlightedText;
}

export interface MessageSearchHit {
  message: MessageRecord;
  fragment: HighlightedText;
}

/**
 * Search across all chats the viewer may see (L5) and inside one chat (C5). Matching is substring on
 * normalised text (word beginnings and inside words, any case, Cyrillic and Latin); ranking prefers the
 * chat number, then the customer, then word-beginning matches over inside-word ones, then recency.
 */
export class ChatSearchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queries: ChatQueryService,
  ) {}

  async searchChats(viewer: Viewer, params: { query: string; first: number; after?: string | undefined }): Promise<Page<ChatSearchHit>> {
    const terms = searchTerms(params.query);
    const offset = params.after ? Number(decodeCursor(params.after, 1)[0]) : 0;
    const best = new Map<string, Omit<ChatSearchHit, 'chat'> & { lastActivity: number }>();
    const consider = (chatId: string, hit: Omit<ChatSearchHit, 'chat'>, lastActivity: number) => {
      const current = best.get(chatId);
      if (!current || hit.score > current.score) best.set(chatId, { ...hit, lastActivity });
    };

    // Messages: the newest visible chats with a matching message or note, walked like a list page (the
    // newest matching messages of all chats, sorted, cost 0.4-42 s for a word in 30,000-300,000 messages),
    // then the newest few matches of each of those chats from its own timeline.
    // Customers: the newest visible chats whose customer matches, walked like a list page over the
    // chat's copy of the customer's text (migration 0009), each slice of what the viewer may see in its
    // own index; then only those chats' customers are read. Both walks at once, on two pool connections.
    const [messageChats, customerMatches] = await Promise.all([
      this.queries.messageMatchIds(viewer, params.query, MESSAGE_CANDIDATE_CHATS),
      this.queries.customerMatchIds(viewer, params.query, CANDIDATE_CHATS),
    ]);
    const messageArgs: unknown[] = [messageChats, MESSAGES_PER_CHAT];
    const messageMatch = messageContainsAll(terms, messageArgs);
    const messagesRead = this.dataSource.query(
      `SELECT m.*, c.last_message_at AS chat_activity FROM chat.chats c
         CROSS JOIN LATERAL (SELECT m.* FROM chat.messages m
                              WHERE m.chat_id = c.id AND ${messageMatch}
                              ORDER BY m.sent_at DESC, m.seq DESC LIMIT $2) m
        WHERE c.id = ANY($1::uuid[])`,
      messageArgs,
    ) as Promise<(MessageRecord & { chat_activity: Date })[]>;
    // The customer candidates' profiles, and the chat number (its own unique index).
    const chatArgs: unknown[] = [CANDIDATE_CHATS, customerMatches];
    const branches = [`c.id = ANY($2::uuid[])`];
    const number = chatNumberOf(params.query);
    if (number !== undefined) {
      chatArgs.push(number);
      branches.push(`c.number = $${chatArgs.length} AND ${visibleChatCondition(viewer, chatArgs)}`);
    }
    const chatsRead = this.dataSource.query(
      `SELECT * FROM (${branches
        .map(
          (where) => `(SELECT c.id, c.number, cu.display_name, cu.username, cu.phone, c.last_message_at AS activity
             FROM chat.chats c JOIN chat.customers cu ON cu.id = c.customer_id WHERE ${where})`,
        )
        .join(' UNION ALL ')}) AS hit ORDER BY hit.activity DESC LIMIT $1`,
      chatArgs,
    ) as Promise<{ id: string; number: string; display_name: string; username: string | null; phone: string | null; activity: Date }[]>;
    const [messages, chats] = await Promise.all([messagesRead, chatsRead]);
    for (const message of messages) {
      const text = message.text ?? '';
      consider(message.chat_id, { score: matchScore(text, terms), matchedIn: 'message', message, fragment: highlight(text, terms) }, new Date(message.chat_activity).getTime());
    }
    for (const chat of chats) {
      const activity = new Date(chat.activity).getTime();
      if (number !== undefined && Number(chat.number) === number) {
        consider(chat.id, { score: 100, matchedIn: 'number', message: undefined, fragment: { text: `#${chat.number}`, ranges: [{ start: 0, length: String(chat.number).length + 1 }] } }, activity);
        continue;
      }
      const profile = [chat.display_name, chat.username ? `@${chat.username}` : '', chat.phone ?? ''].filter(Boolean).join(' · ');
      consider(chat.id, { score: 10 + matchScore(profile, terms), matchedIn: 'customer', message: undefined, fragment: highlight(profile, terms) }, activity);
    }

    const ranked = [...best.entries()].sort(([, a], [, b]) => b.score - a.score || b.lastActivity - a.lastActivity);
    const slice = ranked.slice(offset, offset + params.first + 1);
    const records = await this.queries.getChats(viewer, slice.map(([id]) => id));
    const items = slice
      .slice(0, params.first)
      .map(([chatId, hit]) => ({ chat: records.get(chatId), score: hit.score, matchedIn: hit.matchedIn, message: hit.message, fragment: hit.fragment }))
      .filter((hit): hit is ChatSearchHit => hit.chat !== undefined);
    return { items, cursors: items.map((_, i) => encodeCursor([offset + i + 1])), hasNextPage: slice.length > params.first };
  }

  /** C5: messages and notes of one chat containing every term, newest first, with highlighted fragments. */
  async searchInChat(params: { chatId: string; query: string; first: number; after?: string | undefined }): Promise<Page<MessageSearchHit>> {
    const terms = searchTerms(params.query);
    const args: unknown[] = [params.chatId, params.first + 1];
    const match = messageContainsAll(terms, args);
    let keyset = '';
    if (params.after) {
      const [time, seq] = decodeCursor(params.after, 2);
      args.push(time, seq);
      keyset = `AND (m.sent_at, m.seq) < ($${args.length - 1}::timestamptz, $${args.length}::bigint)`;
    }
    const rows = (await this.dataSource.query(
      `SELECT m.* FROM chat.messages m WHERE m.chat_id = $1 AND ${match} ${keyset}
       ORDER BY m.sent_at DESC, m.seq DESC LIMIT $2`,
      args,
    )) as MessageRecord[];
    const items = rows.slice(0, params.first).map((message) => ({ message, fragment: highlight(message.text ?? '', terms) }));
    return { items, cursors: items.map((h) => encodeCursor([new Date(h.message.sent_at).toISOString(), h.message.seq])), hasNextPage: rows.length > params.first };
  }
}
