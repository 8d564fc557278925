import type { Client } from 'urql';
import { ChatEventsSubscription, ReminderEventsSubscription, type ChatLiveEvent, type ReminderLiveEvent } from '../graphql/operations';
import { LiveFeed } from './live-feed';

export type { LiveState } from './live-feed';

export type LiveChatEvents = LiveFeed<ChatLiveEvent>;
export type LiveReminderEvents = LiveFeed<ReminderLiveEvent>;

/** Every chat event the operator may see: rows, timelines and the new-chat notice follow it. */
export function liveChatEvents(client: Client): LiveChatEvents {
  return new LiveFeed((after, sink) =>
    client.subscription(ChatEventsSubscription, { after }).subscribe((result) => sink({ error: result.error, event: result.data?.chatEvents })),
  );
}

/** The operator's own reminders as they fire (decision 0022). */
export function liveReminderEvents(client: Client): LiveReminderEvents {
  return new LiveFeed((after, sink) =>
    client.subscription(ReminderEventsSubscription, { after }).subscribe((result) => sink({ error: result.error, event: result.data?.reminderEvents })),
  );
}
