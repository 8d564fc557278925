import type { Attachment, MessageContent } from '@switchboard/contracts';

const ATTACHMENT_LABELS: Record<string, string> = {
  image: '[Фото]',
  video: '[Відео]',
  audio: '[Аудіо]',
  voice: '[Голосове повідомлення]',
  document: '[Файл]',
  sticker: '[Стікер]',
  animation: '[GIF]',
  video_note: '[Відеоповідомлення]',
};

/** The one-line preview shown in the chat list (L7). */
export function messagePreview(
  content: Pick<MessageContent, 'text' | 'location' | 'contact' | 'placeholder'> & { attachments: readonly Pick<Attachment, 'kind' | 'caption'>[] },
): string {
  const text = content.text?.trim();
  if (text) return text.length > 140 ? `${text.slice(0, 139)}…` : text;
  const first = content.attachments[0];
  if (first) return first.caption?.trim() || ATTACHMENT_LABELS[first.kind] || '[Вкладення]';
  if (content.location) return '[Геолокація]';
  if (content.contact) return '[Контакт]';
  return content.placeholder ?? '';
}
