import { GraphApiTransport } from '@switchboard/service-kit';
import { z } from 'zod';

const pageSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  instagram_business_account: z.looseObject({ id: z.string().min(1) }).optional(),
});
export type GraphPage = z.infer<typeof pageSchema>;

const instagramAccountSchema = z.looseObject({ id: z.string().min(1), username: z.string().min(1) });
const subscribedAppsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
const successSchema = z.looseObject({ success: z.boolean() });
const sendResultSchema = z.looseObject({ recipient_id: z.string().min(1).optional(), message_id: z.string().min(1) });
export type SendApiResult = z.infer<typeof sendResultSchema>;
const createdSchema = z.looseObject({ id: z.string().min(1) });
const senderActionSchema = z.looseObject({ recipient_id: z.string().min(1) });

/** Webhook fields the Page is subscribed to on connect (Messenger events and Page comments). */
export const PAGE_SUBSCRIBED_FIELDS = [
  'messages',
  'message_echoes',
  'message_deliveries',
  'message_reads',
  'message_reactions',
  'message_edits',
  'messaging_postbacks',
  'messaging_referrals',
  'standby',
  'feed',
] as const;

/** Typed Graph API calls for Pages, Instagram accounts, the Send API and comment replies (CHANNELS.md 5-8). */
export class MetaGraphApiClient {
  private readonly transport: GraphApiTransport;

  constructor(options: { baseUrl: string; version: string; timeoutMs: number; accessToken: string; appSecret?: string }) {
    this.transport = new GraphApiTransport(options);
  }

  getPage(pageId: string): Promise<GraphPage> {
    return this.transport.call('GET', encodeURIComponent(pageId), { fields: 'id,name,instagram_business_account' }, undefined, pageSchema);
  }

  getInstagramAccount(accountId: string): Promise<z.infer<typeof instagramAccountSchema>> {
    return this.transport.call('GET', encodeURIComponent(accountId), { fields: 'id,username' }, undefined, instagramAccountSchema);
  }

  async subscribeApp(pageId: string): Promise<boolean> {
    const result = await this.transport.call(
      'POST',
      `${encodeURIComponent(pageId)}/subscribed_apps`,
      { subscribed_fields: PAGE_SUBSCRIBED_FIELDS.join(',') },
      {},
      successSchema,
    );
    return result.success;
  }

  /** Whether any app (ours, as the token is ours) is still subscribed to the Page's webhooks. */
  async isSubscribed(pageId: string): Promise<boolean> {
    const result = await this.transport.call('GET', `${encodeURIComponent(pageId)}/subscribed_apps`, {}, undefined, subscribedAppsSchema);
    return result.data.length > 0;
  }

  /** The Send API: POST /{page-id|ig-account-id}/messages. */
  send(senderId: string, body: Record<string, unknown>): Promise<SendApiResult> {
    return this.transport.call('POST', `${encodeURIComponent(senderId)}/messages`, {}, body, sendResultSchema);
  }

  /** A sender action (Send API): typing_on shows the Page or account typing for about 20 s or until its next message. */
  async senderAction(senderId: string, recipientId: string, action: 'typing_on'): Promise<void> {
    await this.transport.call('POST', `${encodeURIComponent(senderId)}/messages`, {}, { recipient: { id: recipientId }, sender_action: action }, senderActionSchema);
  }

  /**
   * The Send API with the attachment's bytes in the same request (Messenger "upload from file"): multipart
   * with the body's fields JSON-encoded and the file as `filedata`.
   */
  sendWithFile(senderId: string, body: Record<string, unknown>, file: { bytes: Buffer; fileName: string; mimeType: string }): Promise<SendApiResult> {
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) form.append(name, typeof value === 'string' ? value : JSON.stringify(value));
    form.append('filedata', new Blob([file.bytes], { type: file.mimeType }), file.fileName);
    return this.transport.call('POST', `${encodeURIComponent(senderId)}/messages`, {}, form, sendResultSchema);
  }

  /**
   * A public reply under a comment: /comments on Facebook, /replies on Instagram (text only there). A Facebook
   * reply may carry one photo as `attachment_url`, an image URL Facebook downloads when the reply is posted;
   * it needs `message`, `attachment_url` or both.
   */
  async replyToComment(commentId: string, edge: 'comments' | 'replies', reply: { message?: string; attachmentUrl?: string }): Promise<string> {
    const body = { ...(reply.message ? { message: reply.message } : {}), ...(reply.attachmentUrl ? { attachment_url: reply.attachmentUrl } : {}) };
    return (await this.transport.call('POST', `${encodeURIComponent(commentId)}/${edge}`, {}, body, createdSchema)).id;
  }
}

export type MetaApiFactory = (credentials: { accessToken: string; appSecret?: string }) => MetaGraphApiClient;

export function metaApiFactory(options: { baseUrl: string; version: string; timeoutMs: number }): MetaApiFactory {
  return (credentials) => new MetaGraphApiClient({ ...options, ...credentials });
}
