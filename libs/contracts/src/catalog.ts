import { CHAT_EVENTS } from './chat-events/chat.events';
import { DeliveryResultV1 } from './delivery/delivery.events';
import { INBOUND_EVENTS, UnrecognisedPayloadV1 } from './inbound/inbound.events';
import { PRESENCE_EVENTS } from './presence/presence.events';
import { SendMessageRequestedV1 } from './outbound/outbound.events';
import { TASKS_EVENTS } from './tasks-events/tasks.events';
import { IDENTITY_EVENTS } from './identity-events/identity.events';
import { CRM_EVENTS } from './crm-events/crm.events';
import { CHANNEL_KINDS } from './channel';
import { TOPICS, outboundTopic } from './topics';
import type { EventContract } from './envelope/event-contract';
import type { z } from 'zod';

export interface TopicCatalogEntry {
  topic: string;
  description: string;
  key: string;
  events: readonly EventContract<string, z.ZodType>[];
}

/** Which events travel on which topic: the source of docs/events (AsyncAPI). */
export const TOPIC_CATALOG: readonly TopicCatalogEntry[] = [
  {
    topic: TOPICS.inbound,
    description: 'Normalised events from every channel connector.',
    key: 'chat key (connection id + platform chat id)',
    events: INBOUND_EVENTS,
  },
  ...CHANNEL_KINDS.map((channel) => ({
    topic: outboundTopic(channel),
    description: `Send commands for the ${channel} connector.`,
    key: 'chat key',
    events: [SendMessageRequestedV1],
  })),
  {
    topic: TOPICS.delivery,
    description: 'Outcomes of send commands, from the connectors.',
    key: 'chat key',
    events: [DeliveryResultV1],
  },
  {
    topic: TOPICS.presence,
    description: "Ephemeral activity, never stored: customers' typing (recording...) from connectors whose platform reports it, and operators' typing from the chat service for the chat's other operators and the platforms that can show it.",
    key: 'chat key',
    events: PRESENCE_EVENTS,
  },
  {
    topic: TOPICS.unrecognised,
    description: 'Payloads a connector acknowledged but could not normalise.',
    key: 'connection id',
    events: [UnrecognisedPayloadV1],
  },
  {
    topic: TOPICS.chatEvents,
    description: 'Public chat domain events for other CRM modules.',
    key: 'chat id',
    events: CHAT_EVENTS,
  },
  {
    topic: TOPICS.tasksEvents,
    description: "Public events of the tasks service: reminders that fired, for the owner's live subscription and other CRM modules.",
    key: "owner's employee id",
    events: TASKS_EVENTS,
  },
  {
    topic: TOPICS.identityEvents,
    description: 'Public events of the identity service: employees as they change, for services that keep what they need of them.',
    key: 'employee id',
    events: IDENTITY_EVENTS,
  },
  {
    topic: TOPICS.crmEvents,
    description: "Public events of the CRM directory: chats linked to and unlinked from clients, leads and orders (typed references), for the chat's detail panel and other CRM modules.",
    key: 'chat id',
    events: CRM_EVENTS,
  },
];
