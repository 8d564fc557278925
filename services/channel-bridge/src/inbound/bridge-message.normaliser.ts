import { MessageReceivedV1, TOPICS, chatKeyOf, createEnvelope, type ConnectionRef, type Envelope } from '@switchboard/contracts';
import { CHANNEL_BRIDGE_SERVICE } from '../channel-bridge.config';
import type { BridgeMessage } from './bridge-message.schema';

/** The ConnectionRef every event of a bridge carries: what customers "wrote to" is the bridge's name. */
export function bridgeConnectionRef(connection: { id: string; name: string }): ConnectionRef {
  return { id: connection.id, channel: 'bridge', displayName: connection.name };
}

/**
 * A validated partner message as MessageReceivedV1, keyed by its chat. createEnvelope validates the
 * result against the contract, so a body that passed bridgeMessageSchema but not the contract throws.
 */
export function normaliseBridgeMessage(params: {
  message: BridgeMessage;
  connection: { id: string; name: string };
  receivedAt: Date;
}): { topic: string; envelope: Envelope } {
  const { message, connection } = params;
  const externalChatId = message.chatId ?? message.customer.id;
  const chatKey = chatKeyOf({ connectionId: connection.id, externalChatId });
  const { customer, message: content } = message;
  const envelope = createEnvelope(
    MessageReceivedV1,
    {
      connection: bridgeConnectionRef(connection),
      chatKey,
      externalChatId,
      occurredAt: message.sentAt ?? params.receivedAt.toISOString(),
      platformMessageId: message.messageId,
      customer: {
        externalId: customer.id,
        displayName: customer.name,
        ...(customer.username ? { username: customer.username } : {}),
        ...(customer.phone ? { phone: customer.phone } : {}),
        ...(customer.profileUrl ? { profileUrl: customer.profileUrl } : {}),
        ...(customer.languageCode ? { languageCode: customer.languageCode } : {}),
      },
      content: {
        ...(content.text !== undefined ? { text: content.text } : {}),
        // The bridge has no file store of its own: the partner's URL is the file id the files service fetches.
        attachments: content.attachments.map(({ url, ...meta }) => ({ ...meta, platformFileId: url })),
        ...(content.location ? { location: content.location } : {}),
        ...(content.contact ? { contact: content.contact } : {}),
      },
      ...(message.replyToMessageId ? { replyToPlatformMessageId: message.replyToMessageId } : {}),
    },
    { producer: CHANNEL_BRIDGE_SERVICE, key: chatKey, time: params.receivedAt },
  );
  return { topic: TOPICS.inbound, envelope };
}
