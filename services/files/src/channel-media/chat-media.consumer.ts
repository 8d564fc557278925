import { ChatCreatedV1, ChatDeletedV1, ChatMessageAddedV1, parseEvent, type ChatMessageAdded, type Envelope } from '@switchboard/contracts';
import type { BatchContext } from '@switchboard/messaging';
import type { Logger } from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import { FileRefusedError } from '../content/file-classification';
import type { FileRepository } from '../files/file.repository';
import type { FileStoreService } from '../files/file-store.service';
import type { FileStorage } from '../storage/file-storage';
import type { ChannelMediaClient } from './channel-media.client';

/**
 * Consumes chat.events.v1 (group files.chat-events):
 * - chat.created: remembers the chat's channel and connection (where its media come from);
 * - chat.message-added from a customer with attachments: fetches each file from the connector at once
 *   (platform links expire: WhatsApp media ids in 7 days, Viber URLs in hours) and stores it;
 * - chat.deleted: removes the chat's files and their bytes (deletes are hard, decision 0013).
 * Every step is idempotent (one row per message attachment), so a redelivered batch repeats nothing.
 */
export class ChatMediaConsumer {
  constructor(
    private readonly deps: { files: FileRepository; store: FileStoreService; storage: FileStorage; media: ChannelMediaClient; logger: Logger },
  ) {}

  async handle(envelopes: readonly Envelope[], context: BatchContext): Promise<void> {
    for (const envelope of envelopes) {
      if (!context.isActive()) throw new Error('consumer stopping: the batch is handed back');
      if (envelope.type === ChatCreatedV1.type && envelope.version === ChatCreatedV1.version) {
        const data = parseEvent(ChatCreatedV1, envelope).data;
        await this.deps.files.rememberChat({ chatId: data.chatId, channel: data.channel, connectionId: data.connectionId });
      } else if (envelope.type === ChatMessageAddedV1.type && envelope.version === ChatMessageAddedV1.version) {
        const data = parseEvent(ChatMessageAddedV1, envelope).data;
        if (data.message.direction === 'inbound' && data.message.attachments.length > 0) await this.storeMedia(data, context);
      } else if (envelope.type === ChatDeletedV1.type && envelope.version === ChatDeletedV1.version) {
        const data = parseEvent(ChatDeletedV1, envelope).data;
        const keys = await this.deps.files.deleteChat(data.chatId);
        // Rows first: a crash between leaves orphan bytes (harmless), never rows without bytes.
        for (const key of keys) await this.deps.storage.delete(key);
        if (keys.length > 0) this.deps.logger.info({ chatId: data.chatId, files: keys.length }, "deleted chat's files removed");
      }
    }
  }

  private async storeMedia(data: ChatMessageAdded, context: BatchContext): Promise<void> {
    const source = await this.deps.files.chatSource(data.chatId);
    for (const [index, attachment] of data.message.attachments.entries()) {
      const row = await this.deps.files.claimChannelMedia({
        id: randomUUID(),
        chatId: data.chatId,
        messageId: data.message.messageId,
        attachmentIndex: index,
        platformFileId: attachment.platformFileId,
        fileName: attachment.fileName,
        mimeType: attachment.mimeType,
        kind: attachment.kind,
      });
      if (row.state !== 'pending') continue;
      const log = { chatId: data.chatId, messageId: data.message.messageId, fileId: row.id };
      if (!attachment.platformFileId) {
        await this.deps.files.markFailed(row.id, 'The platform gave no file id');
        continue;
      }
      if (!source) {
        // Chats created before the files service first ran: their chat.created was not seen.
        await this.deps.files.markFailed(row.id, 'The chat is unknown to the files service: its channel cannot be told');
        this.deps.logger.warn(log, 'media of a chat whose chat.created was never seen');
        continue;
      }
      const fetched = await this.deps.media.fetch({ channel: source.channel, connectionId: source.connectionId, platformFileId: attachment.platformFileId });
      await context.heartbeat();
      if (!fetched.ok) {
        await this.deps.files.markFailed(row.id, fetched.failure);
        this.deps.logger.warn({ ...log, failure: fetched.failure }, 'customer media not stored');
        continue;
      }
      try {
        await this.deps.store.storeChannelMedia(row, fetched.bytes, attachment.mimeType ?? fetched.mimeType);
      } catch (error) {
        if (!(error instanceof FileRefusedError)) throw error;
        await this.deps.files.markFailed(row.id, error.message);
        this.deps.logger.warn({ ...log, failure: error.message }, 'customer media refused');
      }
    }
  }
}
