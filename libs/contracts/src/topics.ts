import { ChannelKind } from './channel';

/**
 * Topic names are part of the public contract and carry a version: a breaking change gets a new topic
 * that runs beside the old one until every consumer has moved.
 */
export const TOPICS = {
  /** Normalised events from every channel connector; key = chat key. */
  inbound: 'messenger.inbound.v1',
  /** Ephemeral customer and operator activity (typing); key = chat key. Short retention: nothing on it is kept. */
  presence: 'messenger.presence.v1',
  /** Results of outbound sends and platform receipts; key = chat key. */
  delivery: 'messenger.delivery.v1',
  /** Platform payloads a connector acknowledged but could not normalise: kept for inspection, never dropped. */
  unrecognised: 'messenger.unrecognised.v1',
  /** Public chat domain events for other CRM modules; key = chat id. */
  chatEvents: 'chat.events.v1',
  /** Public events of the tasks service (reminders fired); key = the owner's employee id. */
  tasksEvents: 'tasks.events.v1',
  /** Public events of the identity service (employees changed); key = employee id. */
  identityEvents: 'identity.events.v1',
  /** Public events of the CRM directory (chat links changed); key = chat id. */
  crmEvents: 'crm.events.v1',
} as const;

/** Each channel has its own outbound topic so connectors scale and fail independently. */
export function outboundTopic(channel: ChannelKind): string {
  return `messenger.outbound.${channel}.v1`;
}

/** Where records that keep failing are parked for an operator to inspect and replay. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export const ALL_TOPICS: readonly string[] = [
  TOPICS.inbound,
  TOPICS.delivery,
  TOPICS.presence,
  TOPICS.unrecognised,
  TOPICS.chatEvents,
  TOPICS.tasksEvents,
  TOPICS.identityEvents,
  TOPICS.crmEvents,
];
