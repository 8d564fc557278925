import type { Attachment, AttachmentKind, MessageContent } from '@switchboard/contracts';
import type { MetaMessage } from './meta-webhook.schema';

const KINDS: Readonly<Record<string, AttachmentKind>> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  ig_reel: 'video',
  reel: 'video',
  animated_image_share: 'animation',
};

/**
 * What a Messenger/Instagram message says, in the platform-neutral shape. Media carry their CDN URL as the
 * platform file id (Meta gives no media id here, and the URLs expire: the files service fetches them soon).
 * Story mentions and replies, shares, templates, fallbacks and future types get a readable placeholder; except
 * for plain text the whole message is kept in `raw`, so nothing the platform sent is thrown away.
 */
export function contentOfMessage(message: MetaMessage): MessageContent {
  const attachments: Attachment[] = [];
  const notes: string[] = [];
  for (const item of message.attachments ?? []) {
    const url = item.payload?.url;
    const kind = item.payload?.sticker_id !== undefined ? 'sticker' : KINDS[item.type];
    if (item.type === 'story_mention') notes.push('[story mention]');
    else if (item.type === 'location') notes.push('[location]');
    else if (item.type === 'share' || item.type === 'template' || item.type === 'fallback') notes.push(`[shared ${item.payload?.title ?? 'link'}]`);
    else if (!kind || !url) notes.push(`[${item.type} attachment]`);
    if (url && (kind || item.type === 'story_mention')) attachments.push({ kind: kind ?? (item.type === 'story_mention' ? 'image' : 'document'), platformFileId: url });
  }
  if (message.reply_to?.story) notes.unshift('[reply to your story]');
  if (message.is_unsupported) notes.push('[unsupported message]');
  const content: MessageContent = { attachments };
  if (message.text !== undefined && message.text !== '') content.text = message.text;
  if (notes.length > 0) content.placeholder = notes.join(' ');
  if (content.text === undefined && attachments.length === 0 && notes.length === 0) content.placeholder = '[empty message]';
  const plainText = attachments.length === 0 && notes.length === 0 && !message.quick_reply && Object.keys(message).every((k) => ['mid', 'text'].includes(k));
  if (!plainText) content.raw = message;
  return content;
}
