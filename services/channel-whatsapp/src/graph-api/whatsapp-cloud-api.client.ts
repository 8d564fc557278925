import { GraphApiTransport } from '@switchboard/service-kit';
import { z } from 'zod';

const phoneNumberSchema = z.looseObject({
  id: z.string().min(1),
  display_phone_number: z.string().min(1),
  verified_name: z.string().default(''),
});
export type WhatsAppPhoneNumber = z.infer<typeof phoneNumberSchema>;

const sendResultSchema = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.looseObject({ input: z.string(), wa_id: z.string() })).optional(),
  messages: z.array(z.looseObject({ id: z.string().min(1) })).min(1),
});
export type WhatsAppSendResult = z.infer<typeof sendResultSchema>;

const templateSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  language: z.string().min(1),
  status: z.string().min(1),
  category: z.string().default('UNKNOWN'),
  components: z.array(z.looseObject({ type: z.string(), text: z.string().optional(), format: z.string().optional() })).default([]),
});
export type WhatsAppTemplate = z.infer<typeof templateSchema>;

const templatePageSchema = z.looseObject({
  data: z.array(templateSchema),
  paging: z.looseObject({ cursors: z.looseObject({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});

export interface WhatsAppCloudApiOptions {
  baseUrl: string;
  version: string;
  timeoutMs: number;
  accessToken: string;
  /** When known, every call carries appsecret_proof (CHANNELS.md 8), which apps may require. */
  appSecret?: string;
}

/** Templates of one number: at most this many pages are read (100 per page). */
const MAX_TEMPLATE_PAGES = 20;

/**
 * Typed WhatsApp Cloud API calls over global fetch, pinned to one Graph API version. The access token
 * goes only into the Authorization header, never into URLs, errors or logs.
 */
export class WhatsAppCloudApiClient {
  private readonly transport: GraphApiTransport;

  constructor(options: WhatsAppCloudApiOptions) {
    this.transport = new GraphApiTransport(options);
  }

  getPhoneNumber(phoneNumberId: string): Promise<WhatsAppPhoneNumber> {
    return this.call('GET', `${encodeURIComponent(phoneNumberId)}`, { fields: 'id,display_phone_number,verified_name' }, undefined, phoneNumberSchema);
  }

  /** The numbers of a WhatsApp Business Account: proves the token may act for that WABA. */
  async listPhoneNumbers(wabaId: string): Promise<WhatsAppPhoneNumber[]> {
    const page = await this.call('GET', `${encodeURIComponent(wabaId)}/phone_numbers`, {}, undefined, z.looseObject({ data: z.array(phoneNumberSchema) }));
    return page.data;
  }

  sendMessage(phoneNumberId: string, body: Record<string, unknown>): Promise<WhatsAppSendResult> {
    return this.call('POST', `${encodeURIComponent(phoneNumberId)}/messages`, {}, body, sendResultSchema);
  }

  /**
   * Uploads a file for sending (POST /{phone-number-id}/media, multipart: messaging_product, type, file) and
   * answers its media id, which a message then names instead of a link Meta would have to fetch.
   */
  async uploadMedia(phoneNumberId: string, file: { bytes: Buffer; fileName: string; mimeType: string }): Promise<string> {
    const form = new FormData();
    form.append('messaging_product', 'whatsapp');
    form.append('type', file.mimeType);
    form.append('file', new Blob([file.bytes], { type: file.mimeType }), file.fileName);
    const uploaded = await this.call('POST', `${encodeURIComponent(phoneNumberId)}/media`, {}, form, z.looseObject({ id: z.string().min(1) }));
    return uploaded.id;
  }

  async listTemplates(wabaId: string): Promise<WhatsAppTemplate[]> {
    const templates: WhatsAppTemplate[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_TEMPLATE_PAGES; page++) {
      const result = await this.call(
        'GET',
        `${encodeURIComponent(wabaId)}/message_templates`,
        { limit: '100', fields: 'id,name,language,status,category,components', ...(after ? { after } : {}) },
        undefined,
        templatePageSchema,
      );
      templates.push(...result.data);
      after = result.paging?.next ? result.paging.cursors?.after : undefined;
      if (!after) break;
    }
    return templates;
  }

  private call<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: Record<string, unknown> | FormData | undefined,
    resultSchema: z.ZodType<T>,
  ): Promise<T> {
    return this.transport.call(method, path, query, body, resultSchema);
  }
}

/** Creates clients per connection; one place to set the base URL, version and timeout. */
export type WhatsAppApiFactory = (credentials: { accessToken: string; appSecret?: string }) => WhatsAppCloudApiClient;

export function whatsAppApiFactory(options: { baseUrl: string; version: string; timeoutMs: number }): WhatsAppApiFactory {
  return (credentials) => new WhatsAppCloudApiClient({ ...options, ...credentials });
}
