import type { Attachment, AttachmentKind, MessageContent } from '@switchboard/contracts';
import type { TlAnyMessage, TlDocument, TlMessage, TlMessageMedia, TlPhoto, TlUpdate } from '../client/telegram-user-client.port';
import { mediaFileIdOf } from '../media/media-file-id';

/** Telegram's own service account (777000) sends login codes and notices: never a customer chat. */
export const TELEGRAM_SERVICE_USER_ID = '777000';

/** A message of a private chat, ready to be stored and published. */
export interface PlannedMessage {
  direction: 'in' | 'out';
  peerUserId: string;
  messageId: number;
  date: Date;
  content: MessageContent;
  replyToMessageId?: number;
  mediaGroupId?: string;
}

/** What one update asks the connector to do. */
export type UpdatePlan =
  | { kind: 'message'; message: PlannedMessage }
  | { kind: 'edit'; message: PlannedMessage; editedAt: Date; editDate: number }
  | { kind: 'delete'; messageIds: number[] }
  | { kind: 'read'; peerUserId: string; maxId: number }
  | { kind: 'typing'; peerUserId: string; action: string }
  | { kind: 'ignored'; reason: string };

/**
 * Turns one MTProto update into what it means for the inbox. Only private chats with people count: groups,
 * channels, the account's own Saved Messages and Telegram's service notifications are ignored (with a reason).
 */
export function planUpdate(update: TlUpdate, selfUserId: string): UpdatePlan {
  switch (update.className) {
    case 'UpdateNewMessage': {
      const planned = planMessage(update.message, selfUserId);
      return 'reason' in planned ? planned : { kind: 'message', message: planned };
    }
    case 'UpdateEditMessage': {
      const planned = planMessage(update.message, selfUserId);
      if ('reason' in planned) return planned;
      const message = update.message as TlMessage;
      const editDate = message.editDate ?? message.date;
      return { kind: 'edit', message: planned, editDate, editedAt: new Date(editDate * 1000) };
    }
    case 'UpdateShortMessage': {
      const peerUserId = update.userId.toString();
      const skip = skippedPeer(peerUserId, selfUserId);
      if (skip) return skip;
      const replyTo = replyToOf(update.replyTo);
      return {
        kind: 'message',
        message: {
          direction: update.out ? 'out' : 'in',
          peerUserId,
          messageId: update.id,
          date: new Date(update.date * 1000),
          content: { text: update.message, attachments: [] },
          ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
        },
      };
    }
    case 'UpdateDeleteMessages':
      return update.messages.length > 0 ? { kind: 'delete', messageIds: [...update.messages] } : { kind: 'ignored', reason: 'no message ids' };
    case 'UpdateReadHistoryOutbox': {
      if (update.peer.className !== 'PeerUser') return { kind: 'ignored', reason: 'not a private chat' };
      const peerUserId = update.peer.userId.toString();
      return skippedPeer(peerUserId, selfUserId) ?? { kind: 'read', peerUserId, maxId: update.maxId };
    }
    case 'UpdateUserTyping': {
      const peerUserId = update.userId.toString();
      return skippedPeer(peerUserId, selfUserId) ?? { kind: 'typing', peerUserId, action: typingAction(update.action.className) };
    }
  }
}

/** A message from history (back-fill) or an update: private chats only. */
export function planMessage(message: TlAnyMessage, selfUserId: string): PlannedMessage | { kind: 'ignored'; reason: string } {
  if (message.className !== 'Message') return { kind: 'ignored', reason: `${message.className} is not shown` };
  if (message.peerId.className !== 'PeerUser') return { kind: 'ignored', reason: 'not a private chat' };
  const peerUserId = message.peerId.userId.toString();
  const skip = skippedPeer(peerUserId, selfUserId);
  if (skip) return skip;
  const replyTo = replyToOf(message.replyTo);
  return {
    direction: message.out ? 'out' : 'in',
    peerUserId,
    messageId: message.id,
    date: new Date(message.date * 1000),
    content: contentOf(message),
    ...(replyTo !== undefined ? { replyToMessageId: replyTo } : {}),
    ...(message.groupedId ? { mediaGroupId: message.groupedId.toString() } : {}),
  };
}

function skippedPeer(peerUserId: string, selfUserId: string): { kind: 'ignored'; reason: string } | undefined {
  if (peerUserId === selfUserId) return { kind: 'ignored', reason: "the account's Saved Messages" };
  if (peerUserId === TELEGRAM_SERVICE_USER_ID) return { kind: 'ignored', reason: 'Telegram service notifications' };
  return undefined;
}

function replyToOf(header: TlMessage['replyTo']): number | undefined {
  if (!header || header.className !== 'MessageReplyHeader') return undefined;
  return (header as { replyToMsgId?: number }).replyToMsgId;
}

export function contentOf(message: TlMessage): MessageContent {
  const text = message.message ? message.message : undefined;
  const media = message.media;
  if (!media || media.className === 'MessageMediaEmpty' || media.className === 'MessageMediaWebPage') {
    return text !== undefined ? { text, attachments: [] } : { placeholder: '[empty message]', attachments: [] };
  }
  const attachment = attachmentOf(media, message.id);
  if (attachment) return { ...(text !== undefined ? { text } : {}), attachments: [attachment] };
  if (media.className === 'MessageMediaGeo') {
    const geo = (media as Extract<TlMessageMedia, { className: 'MessageMediaGeo' }>).geo;
    if (geo.className === 'GeoPoint') {
      const point = geo as { lat: number; long: number };
      return { ...(text !== undefined ? { text } : {}), attachments: [], location: { latitude: point.lat, longitude: point.long } };
    }
  }
  if (media.className === 'MessageMediaContact') {
    const contact = media as Extract<TlMessageMedia, { className: 'MessageMediaContact' }>;
    const userId = contact.userId.toString();
    return {
      ...(text !== undefined ? { text } : {}),
      attachments: [],
      contact: {
        phone: contact.phoneNumber,
        firstName: contact.firstName || contact.phoneNumber,
        ...(contact.lastName ? { lastName: contact.lastName } : {}),
        ...(userId !== '0' ? { platformUserId: userId } : {}),
      },
    };
  }
  // Polls, dice, games, invoices, stories...: a stand-in the inbox can show, and the kind kept for inspection.
  const kind = media.className.replace(/^MessageMedia/, '').toLowerCase();
  return { ...(text !== undefined ? { text } : {}), attachments: [], placeholder: `[${kind}]`, raw: { media: media.className } };
}

function attachmentOf(media: TlMessageMedia, messageId: number): Attachment | undefined {
  if (media.className === 'MessageMediaPhoto') {
    const photo = (media as Extract<TlMessageMedia, { className: 'MessageMediaPhoto' }>).photo;
    if (!photo || photo.className !== 'Photo') return undefined;
    const largest = [...(photo as TlPhoto).sizes].filter((s) => s.w && s.h).sort((a, b) => (b.w ?? 0) * (b.h ?? 0) - (a.w ?? 0) * (a.h ?? 0))[0];
    const platformFileId = mediaFileIdOf({ kind: 'photo', mediaId: (photo as TlPhoto).id.toString(), messageId });
    return { kind: 'image', platformFileId, ...(largest?.w && largest.h ? { width: largest.w, height: largest.h } : {}) };
  }
  if (media.className === 'MessageMediaDocument') {
    const document = (media as Extract<TlMessageMedia, { className: 'MessageMediaDocument' }>).document;
    if (!document || document.className !== 'Document') return undefined;
    return documentAttachment(document as TlDocument, messageId);
  }
  return undefined;
}

function documentAttachment(document: TlDocument, messageId: number): Attachment {
  const attribute = (name: string) => document.attributes.find((a) => a.className === name);
  const audio = attribute('DocumentAttributeAudio');
  const video = attribute('DocumentAttributeVideo');
  const fileName = attribute('DocumentAttributeFilename')?.fileName;
  let kind: AttachmentKind = 'document';
  if (attribute('DocumentAttributeSticker')) kind = 'sticker';
  else if (audio) kind = audio.voice ? 'voice' : 'audio';
  else if (video) kind = video.roundMessage ? 'video_note' : attribute('DocumentAttributeAnimated') ? 'animation' : 'video';
  const size = Number(document.size.toString());
  const dimensions = video ?? attribute('DocumentAttributeImageSize');
  const duration = (audio ?? video)?.duration;
  return {
    kind,
    platformFileId: mediaFileIdOf({ kind: 'document', mediaId: document.id.toString(), messageId }),
    ...(document.mimeType ? { mimeType: document.mimeType } : {}),
    ...(fileName ? { fileName } : {}),
    ...(Number.isSafeInteger(size) && size >= 0 ? { sizeBytes: size } : {}),
    ...(dimensions?.w && dimensions.h ? { width: dimensions.w, height: dimensions.h } : {}),
    ...(duration !== undefined ? { durationSeconds: duration } : {}),
  };
}

/** Telegram's typing kinds, named for people ("typing", "recording voice", ...). */
function typingAction(className: string): string {
  const map: Record<string, string> = {
    SendMessageTypingAction: 'typing',
    SendMessageRecordAudioAction: 'recording_voice',
    SendMessageUploadAudioAction: 'uploading_voice',
    SendMessageRecordVideoAction: 'recording_video',
    SendMessageUploadVideoAction: 'uploading_video',
    SendMessageUploadPhotoAction: 'uploading_photo',
    SendMessageUploadDocumentAction: 'uploading_document',
    SendMessageRecordRoundAction: 'recording_video_note',
    SendMessageChooseStickerAction: 'choosing_sticker',
    SendMessageCancelAction: 'cancelled',
  };
  return map[className] ?? 'other';
}
