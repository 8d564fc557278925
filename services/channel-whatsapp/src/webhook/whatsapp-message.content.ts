import type { Attachment, AttachmentKind, MessageContent } from '@switchboard/contracts';
import { waMediaSchema, waTypeSchemas, type WaMedia, type WaMessage } from './whatsapp-webhook.schema';

const MEDIA_TYPES: Readonly<Record<string, AttachmentKind>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  document: 'document',
  sticker: 'sticker',
};

/**
 * What a WhatsApp message says, in the platform-neutral shape. Every type the Cloud API documents maps
 * to text, attachments, location or contact where it can; the rest (orders, system notices, unsupported
 * and future types) gets a readable placeholder. Except for plain text, the whole message is kept in
 * `raw`: media hashes, button payloads, referrals (click-to-WhatsApp ads) and product lists have no
 * neutral field, and nothing the platform sent is thrown away.
 */
export function contentOfMessage(message: WaMessage): MessageContent {
  const content = mapByType(message);
  if (message.type !== 'text' || message['referral'] !== undefined) content.raw = message;
  return content;
}

function mapByType(message: WaMessage): MessageContent {
  const body = message[message.type];
  const mediaKind = MEDIA_TYPES[message.type];
  if (mediaKind) {
    const media = waMediaSchema.safeParse(body);
    if (media.success) {
      const caption = media.data.caption;
      return { attachments: [attachmentOf(mediaKind, media.data)], ...(caption ? { text: caption } : {}) };
    }
    return placeholder(`[${message.type} without a media id]`);
  }
  switch (message.type) {
    case 'text': {
      const text = waTypeSchemas.text.safeParse(body);
      return text.success ? { text: text.data.body, attachments: [] } : placeholder('[text message without a body]');
    }
    case 'location': {
      const location = waTypeSchemas.location.safeParse(body);
      if (!location.success) return placeholder('[location]');
      const { latitude, longitude, name, address } = location.data;
      return { attachments: [], location: { latitude, longitude, ...(name ? { title: name } : {}), ...(address ? { address } : {}) } };
    }
    case 'contacts':
      return contactsContent(body);
    case 'interactive': {
      const interactive = waTypeSchemas.interactive.safeParse(body);
      if (!interactive.success) return placeholder('[interactive reply]');
      const reply = interactive.data.button_reply ?? interactive.data.list_reply;
      if (!reply) return placeholder(`[interactive reply: ${interactive.data.type}]`);
      const description = interactive.data.list_reply?.description;
      return { text: description ? `${reply.title}\n${description}` : reply.title, attachments: [] };
    }
    case 'button': {
      // A quick-reply button of a template the business sent.
      const button = waTypeSchemas.button.safeParse(body);
      return button.success ? { text: button.data.text, attachments: [] } : placeholder('[button reply]');
    }
    case 'order': {
      const order = waTypeSchemas.order.safeParse(body);
      const items = order.success ? (order.data.product_items?.length ?? 0) : 0;
      const text = order.success ? order.data.text : undefined;
      return { attachments: [], placeholder: `[order: ${items} item${items === 1 ? '' : 's'}]`, ...(text ? { text } : {}) };
    }
    case 'system': {
      const system = waTypeSchemas.system.safeParse(body);
      return placeholder(system.success && system.data.body ? `[system: ${system.data.body}]` : '[system message]');
    }
    case 'unsupported': {
      const errors = waTypeSchemas.errors.safeParse(message['errors']);
      const title = errors.success ? errors.data[0]?.title : undefined;
      return placeholder(title ? `[unsupported message: ${title}]` : '[unsupported message]');
    }
    default:
      // A type newer than this connector: shown as its name, kept whole in raw.
      return placeholder(`[${message.type} message]`);
  }
}

function attachmentOf(kind: AttachmentKind, media: WaMedia): Attachment {
  return {
    // Audio recorded in WhatsApp arrives as audio with voice: true.
    kind: kind === 'audio' && media.voice ? 'voice' : kind,
    platformFileId: media.id,
    ...(media.mime_type ? { mimeType: media.mime_type } : {}),
    ...(media.filename ? { fileName: media.filename } : {}),
    ...(media.caption ? { caption: media.caption } : {}),
  };
}

/** The first shared contact with a phone becomes `contact`; several are listed by name in the text. */
function contactsContent(body: unknown): MessageContent {
  const contacts = waTypeSchemas.contacts.safeParse(body);
  if (!contacts.success || contacts.data.length === 0) return placeholder('[contacts]');
  const names = contacts.data.map((c) => c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ')).filter((n) => n);
  const first = contacts.data.find((c) => c.phones?.some((p) => p.phone));
  const phone = first?.phones?.find((p) => p.phone);
  const content: MessageContent = { attachments: [] };
  if (first && phone?.phone) {
    const firstName = first.name?.first_name ?? first.name?.formatted_name ?? phone.phone;
    content.contact = {
      phone: phone.phone,
      firstName,
      ...(first.name?.last_name ? { lastName: first.name.last_name } : {}),
      ...(phone.wa_id ? { platformUserId: phone.wa_id } : {}),
    };
  }
  if (contacts.data.length > 1 || !content.contact) content.text = `Contacts: ${names.join(', ') || contacts.data.length}`;
  return content;
}

function placeholder(text: string): MessageContent {
  return { attachments: [], placeholder: text };
}
