import {
  SendMessageRequestedV1,
  channelKindSchema,
  channelSupportsTemplates,
  createEnvelope,
  outboundTopic,
  type CommentReplyMode,
  type OutboundMessageTag,
  type OutboundTemplate,
} from '@switchboard/contracts';
import { GraphQLError } from 'graphql';
import { badUserInput, notFound, type Principal } from '@switchboard/service-kit';
import { lockVisibleChat, loadViewer } from '../access/viewer';
import type { DataSource } from 'typeorm';
import { CHAT_PRODUCER, chatEvents } from '../chat-events.factory';
import { emitEvents } from '../feed/emit-events';
import { messagePreview } from './message-preview';
import { TEMPLATES_NOT_SUPPORTED, replyWindowClosed, replyWindowOfChat } from './reply-window';
import { FILES_UNAVAILABLE, type OutboundFiles } from './outbound-files';

export interface SendMessageInput {
  chatId: string;
  text: string;
  replyToMessageId?: string | undefined;
  /** A pre-approved template (WhatsApp); `text` is then its rendering for the inbox, not what is sent. */
  template?: OutboundTemplate | undefined;
  /** Comment chats: answer under the comment (public, the default) or privately (one direct message per comment). */
  commentReply?: CommentReplyMode | undefined;
  /** Files the operator uploaded to this chat (createFileUpload), sent with the text in this order. */
  fileIds?: readonly string[] | undefined;
}

/** extensions.code of a comment-reply choice in a chat that is not a comment thread. */
export const NOT_A_COMMENT_CHAT = 'NOT_A_COMMENT_CHAT';
const COMMENT_CHANNELS: ReadonlySet<string> = new Set(['facebook-comments', 'instagram-comments']);

/**
 * An operator's reply: stored as pending and handed to the channel's connector through the outbox in
 * the same transaction, so a reply is never stored without being sent or sent without being stored.
 */
export class SendMessageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void,
    private readonly files?: OutboundFiles,
  ) {}

  async send(principal: Principal, input: SendMessageInput): Promise<{ messageId: string; chatId: string }> {
    const fileIds = input.fileIds ?? [];
    // Meta's private reply (Send API, recipient.comment_id) is one text message: refused here, not failed by the connector after the send is stored.
    if (input.commentReply === 'private' && fileIds.length > 0) {
      throw badUserInput('A private comment reply carries text only: attach the file to a public reply instead', 'fileIds');
    }
    if (fileIds.length > 0 && !this.files) throw new GraphQLError('Files cannot be attached here', { extensions: { code: FILES_UNAVAILABLE } });
    // Read before the transaction: no chat lock is held across a call to another service.
    const files = fileIds.length > 0 ? await this.files!.load(fileIds) : [];
    const result = await this.dataSource.transaction(async (manager) => {
      // Only a chat the caller may see can be answered (issue 4 permissions), checked under the chat lock.
      const chat = await lockVisibleChat(manager, await loadViewer(manager, principal), input.chatId);
      const channel = channelKindSchema.parse(chat.channel);
      // Refused here, before anything is stored or sent: the platform would reject it (e.g. WhatsApp 131047).
      if (input.template) {
        if (!channelSupportsTemplates(channel)) {
          throw new GraphQLError(`${channel} chats have no message templates`, { extensions: { code: TEMPLATES_NOT_SUPPORTED } });
        }
      }
      // A file the platform would refuse (too large, type not taken) is refused here, not after a round trip to it.
      const attachable = files.length > 0 ? this.files!.check({ id: chat.id, channel }, files) : [];
      const attachments = attachable.map((f) => ({ kind: f.kind, fileName: f.fileName, mimeType: f.mimeType, sizeBytes: f.sizeBytes }));
      if (input.commentReply && !COMMENT_CHANNELS.has(channel)) {
        throw new GraphQLError(`commentReply applies to comment chats only; this is a ${channel} chat`, { extensions: { code: NOT_A_COMMENT_CHAT } });
      }
      let messageTag: OutboundMessageTag | undefined;
      if (!input.template) {
        const window = await replyWindowOfChat(manager, chat.id);
        if (window && !window.freeTextAllowed) {
          // Outside 24 h a human agent may still answer on Messenger/Instagram (HUMAN_AGENT, 7 days): the window decides, not the client.
          const tag = window.alternatives.find((a) => a.kind === 'message-tag');
          if (!tag) throw replyWindowClosed(window);
          messageTag = tag.tag;
        }
      }
      let replyToPlatformMessageId: string | undefined;
      if (input.replyToMessageId) {
        const target = (await manager.query(`SELECT platform_message_id FROM chat.messages WHERE id = $1 AND chat_id = $2 AND kind = 'message'`, [input.replyToMessageId, chat.id])) as {
          platform_message_id: string | null;
        }[];
        if (!target[0]) throw notFound(`Message ${input.replyToMessageId} is not in this chat`);
        replyToPlatformMessageId = target[0].platform_message_id ?? undefined;
      }
      const inserted = (await manager.query(
        `INSERT INTO chat.messages (chat_id, direction, text, attachments, author_employee_id, delivery_state, sent_at)
         VALUES ($1, 'outbound', $2, $3::jsonb, $4, 'pending', now()) RETURNING id, sent_at`,
        [chat.id, input.text === '' ? null : input.text, JSON.stringify(attachments), principal.employeeId],
      )) as { id: string; sent_at: Date }[];
      const message = inserted[0]!;
      const sentAt = new Date(message.sent_at).toISOString();
      await manager.query(
        `UPDATE chat.chats SET last_message_at = $2, last_message_preview = $3, last_message_direction = 'outbound',
           unanswered = false, updated_at = now() WHERE id = $1`,
        [chat.id, sentAt, messagePreview({ text: input.text, attachments })],
      );
      const command = {
        topic: outboundTopic(channel),
        envelope: createEnvelope(
          SendMessageRequestedV1,
          {
            commandId: message.id,
            chatKey: chat.chat_key,
            connection: { id: chat.connection_id, channel, displayName: chat.connection_display_name },
            externalChatId: chat.external_chat_id,
            ...(input.text === '' ? {} : { text: input.text }),
            attachments: attachable.map(({ fileId, url, fileName, mimeType, sizeBytes }) => ({ fileId, url, fileName, mimeType, sizeBytes })),
            ...(replyToPlatformMessageId ? { replyToPlatformMessageId } : {}),
            ...(input.template ? { template: input.template } : {}),
            ...(messageTag ? { messageTag } : {}),
            ...(input.commentReply ? { commentReply: input.commentReply } : {}),
            requestedAt: sentAt,
          },
          { producer: CHAT_PRODUCER, key: chat.chat_key },
        ),
      };
      await emitEvents(manager, [
        command,
        chatEvents.messageAdded(
          {
            chatId: chat.id,
            chatNumber: Number(chat.number),
            unanswered: false,
            message: {
              messageId: message.id,
              direction: 'outbound',
              ...(input.text === '' ? {} : { text: input.text }),
              attachments,
              authorEmployeeId: principal.employeeId,
              deliveryState: 'pending',
              sentAt,
            },
          },
          command.envelope,
        ),
      ]);
      return { messageId: message.id, chatId: chat.id };
    });
    this.onCommitted();
    return result;
  }
}
