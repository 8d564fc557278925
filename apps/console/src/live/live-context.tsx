import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import type { ChatLiveEvent, ReminderLiveEvent } from '../graphql/operations';
import { liveChatEvents, liveReminderEvents, type LiveChatEvents, type LiveReminderEvents, type LiveState } from './live-chat-events';
import type { FeedEvent, LiveFeed } from './live-feed';

interface Live {
  chats: LiveChatEvents;
  reminders: LiveReminderEvents;
}

const LiveContext = createContext<Live | null>(null);

/** Opens the page's live event streams (chats, the operator's reminders) for the signed-in client. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [live] = useState<Live>(() => ({ chats: liveChatEvents(client), reminders: liveReminderEvents(client) }));
  useEffect(() => {
    live.chats.start();
    live.reminders.start();
    return () => {
      live.chats.stop();
      live.reminders.stop();
    };
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): Live {
  const live = useContext(LiveContext);
  if (!live) throw new Error('live hooks outside LiveProvider');
  return live;
}

function useFeed<E extends FeedEvent>(feed: LiveFeed<E>, onEvent: (event: E) => void, onResync?: () => void): void {
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };
  useEffect(() => {
    const offEvent = feed.onEvent((event) => handlers.current.onEvent(event));
    const offResync = feed.onResync(() => handlers.current.onResync?.());
    return () => {
      offEvent();
      offResync();
    };
  }, [feed]);
}

/** Calls `onEvent` for every live chat event (and `onResync` when the feed could not resume). */
export function useLiveChatEvents(onEvent: (event: ChatLiveEvent) => void, onResync?: () => void): void {
  useFeed(useLive().chats, onEvent, onResync);
}

/** Calls `onEvent` each time one of the operator's reminders fires. */
export function useLiveReminderEvents(onEvent: (event: ReminderLiveEvent) => void): void {
  useFeed(useLive().reminders, onEvent);
}

/** The chat feed's state: the header says when live updates are interrupted. */
export function useLiveState(): LiveState {
  const { chats } = useLive();
  const [state, setState] = useState(chats.state);
  useEffect(() => chats.onState(setState), [chats]);
  return state;
}
