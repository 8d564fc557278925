import {
  ChatCreatedV1,
  ChatDeletedV1,
  ChatMessageAddedV1,
  ChatMessageUpdatedV1,
  ChatNoteAddedV1,
  ChatOperatorsChangedV1,
  ChatReadV1,
  ChatStatusChangedV1,
  TOPICS,
  createEnvelope,
  type ChatCreated,
  type ChatDeleted,
  type ChatMessageAdded,
  type ChatMessageUpdated,
  type ChatNoteAdded,
  type ChatOperatorsChanged,
  type ChatRead,
  type ChatStatusChanged,
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
  statusChanged: (data: ChatStatusChanged) => chatEvent(ChatStatusChangedV1, data, data.chatId, undefined),
  operatorsChanged: (data: ChatOperatorsChanged) => chatEvent(ChatOperatorsChangedV1, data, data.chatId, undefined),
  noteAdded: (data: ChatNoteAdded) => chatEvent(ChatNoteAddedV1, data, data.chatId, undefined),
  read: (data: ChatRead) => chatEvent(ChatReadV1, data, data.chatId, undefined),
  deleted: (data: ChatDeleted) => chatEvent(ChatDeletedV1, data, data.chatId, undefined),
};
