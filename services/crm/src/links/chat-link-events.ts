import { CrmChatLinkedV1, CrmChatUnlinkedV1, TOPICS, createEnvelope, type CrmChatLinked, type CrmChatUnlinked, type Envelope } from '@switchboard/contracts';
import type { EventToPublish } from '@switchboard/messaging';
import { CRM_PRODUCER } from '../crm.config';

type Cause = Pick<Envelope, 'id' | 'correlationId'> | undefined;

/** Keyed by chat id, like chat.events.v1: one chat's link changes reach subscribers in order. */
export const chatLinkEvents = {
  linked: (data: CrmChatLinked, cause?: Cause): EventToPublish => ({
    topic: TOPICS.crmEvents,
    envelope: createEnvelope(CrmChatLinkedV1, data, { producer: CRM_PRODUCER, key: data.chatId, ...(cause ? { cause } : {}) }),
  }),
  unlinked: (data: CrmChatUnlinked, cause?: Cause): EventToPublish => ({
    topic: TOPICS.crmEvents,
    envelope: createEnvelope(CrmChatUnlinkedV1, data, { producer: CRM_PRODUCER, key: data.chatId, ...(cause ? { cause } : {}) }),
  }),
};
