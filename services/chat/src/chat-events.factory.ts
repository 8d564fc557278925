import {
  ChatCreatedV1,
  ChatMessageAddedV1,
  ChatMessageUpdatedV1,
  TOPICS,
  createEnvelope,
  type ChatCreated,
  type ChatMessageAdded,
  type ChatMessageUpdated,
  type Envelope,
} from '@switchboard/contracts';
import type { EventToPublish } from '@switchboard/messaging';

export const CHAT_PRODUCER = 'chat';

type Cause = Pick<Envelope, 'id' | 'correlationId'> | undefined;

/** Chat events are keyed by chat id: every event about one chat stays in order for subscribers. */
function chatEvent<T>(contract: Parameters<typeof createEnvelope>[0], data: T, chatId: string, cause: Cause): EventToPublish {
  return {
    topic: TOPICS.chatEvents,
    envelope: createEnvelope(contract, data, { producer: CHAT_PRODUCER, key: chatId, ...(cause ? { cause } : {}) }),
  };
}

export const chatEvents = {
  created: (data: ChatCreated, cause?: Cause) => chatEvent(ChatCreatedV1, data, data.chatId, cause),
  messageAdded: (data: ChatMessageAdded, cause?: Cause) => chatEvent(ChatMessageAddedV1, data, data.chatId, cause),
  messageUpdated: (data: ChatMessageUpdated, cause?: Cause) => chatEvent(ChatMessageUpdatedV1, data, data.chatId, cause),
};
