import { randomBytes } from 'node:crypto';
import { signedWebhook } from './whatsapp-webhook.builders';

/**
 * Builders of Messenger, Instagram and comment webhooks in the documented shape (CHANNELS.md 5-7):
 * { object: "page" | "instagram", entry: [{ id, time, messaging: [...] | standby: [...] | changes: [...] }] }.
 * Times are epoch milliseconds in messaging events, unix seconds or ISO strings in feed changes, as Meta sends them.
 */

/** A new message id as Messenger/Instagram format them. */
export function newMid(): string {
  return `m_${randomBytes(18).toString('base64url')}`;
}

/** One messaging item from the customer `from` to the Page/account `to`; `event` holds message, read, reaction, ... */
export function metaMessaging(params: { from: string; to: string; at?: Date; event: Record<string, unknown> }): Record<string, unknown> {
  return { sender: { id: params.from }, recipient: { id: params.to }, timestamp: (params.at ?? new Date()).getTime(), ...params.event };
}

/** A customer's text message (optionally replying to one of ours). */
export function metaTextMessage(params: { from: string; to: string; text: string; mid?: string; at?: Date; replyTo?: string }): Record<string, unknown> {
  return metaMessaging({
    from: params.from,
    to: params.to,
    ...(params.at ? { at: params.at } : {}),
    event: { message: { mid: params.mid ?? newMid(), text: params.text, ...(params.replyTo ? { reply_to: { mid: params.replyTo } } : {}) } },
  });
}

/** An echo: the business (`page`) sent `text` to the customer from elsewhere (Page inbox, phone) or through the Send API. */
export function metaEcho(params: { page: string; to: string; text: string; mid?: string; at?: Date; appId?: number; metadata?: string }): Record<string, unknown> {
  return metaMessaging({
    from: params.page,
    to: params.to,
    ...(params.at ? { at: params.at } : {}),
    event: {
      message: {
        is_echo: true,
        mid: params.mid ?? newMid(),
        text: params.text,
        ...(params.appId !== undefined ? { app_id: params.appId } : {}),
        ...(params.metadata ? { metadata: params.metadata } : {}),
      },
    },
  });
}

/** A whole webhook of object "page" or "instagram"; each entry carries messaging, standby or changes. */
export function metaWebhook(
  object: 'page' | 'instagram',
  entries: Array<{ id: string; time?: number; messaging?: unknown[]; standby?: unknown[]; changes?: unknown[] }>,
): Record<string, unknown> {
  return { object, entry: entries.map((e) => ({ ...e, time: e.time ?? Date.now() })) };
}

/** A Page "feed" change for a comment (verb add|edited|remove). */
export function feedCommentChange(params: {
  pageId: string;
  postId: string;
  commentId?: string;
  parentId?: string;
  from: { id: string; name: string };
  message?: string;
  verb?: 'add' | 'edited' | 'remove';
  at?: Date;
}): { field: 'feed'; value: Record<string, unknown> } {
  const at = params.at ?? new Date();
  return {
    field: 'feed',
    value: {
      from: params.from,
      post: { status_type: 'added_photos', is_published: true, updated_time: at.toISOString(), permalink_url: `https://www.facebook.com/${params.postId}`, id: params.postId },
      message: params.message ?? '',
      post_id: params.postId,
      comment_id: params.commentId ?? `${params.postId.split('_')[1] ?? params.postId}_${randomBytes(5).readUInt32BE(0)}`,
      parent_id: params.parentId ?? params.postId,
      created_time: Math.floor(at.getTime() / 1000),
      item: 'comment',
      verb: params.verb ?? 'add',
    },
  };
}

/** An Instagram "comments" change. */
export function instagramCommentChange(params: {
  mediaId: string;
  commentId?: string;
  parentId?: string;
  from: { id: string; username: string };
  text: string;
  mediaProductType?: string;
}): { field: 'comments'; value: Record<string, unknown> } {
  return {
    field: 'comments',
    value: {
      from: params.from,
      media: { id: params.mediaId, media_product_type: params.mediaProductType ?? 'FEED' },
      id: params.commentId ?? String(17_800_000_000_000_000 + randomBytes(4).readUInt32BE(0)),
      ...(params.parentId ? { parent_id: params.parentId } : {}),
      text: params.text,
    },
  };
}

/** POSTs a Messenger/Instagram webhook to the connector; `signature` overrides the computed one (forgery tests). */
export function postMetaWebhook(url: string, payload: unknown, options: { appSecret: string; signature?: string }): Promise<Response> {
  const signed = signedWebhook(payload, options.appSecret);
  const headers = options.signature !== undefined ? { ...signed.headers, 'x-hub-signature-256': options.signature } : signed.headers;
  return fetch(url, { method: 'POST', headers, body: signed.body });
}
