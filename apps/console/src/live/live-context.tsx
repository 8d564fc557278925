import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { useClient } from 'urql';
import type { ChatLiveEvent } from '../graphql/operations';
import { LiveChatEvents, type LiveState } from './live-chat-events';

const LiveContext = createContext<LiveChatEvents | null>(null);

/** Opens the page's one live event stream for the signed-in client. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useClient();
  const [live] = useState(() => new LiveChatEvents(client));
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): LiveChatEvents {
  const live = useContext(LiveContext);
  if (!live) throw new Error('live hooks outside LiveProvider');
  return live;
}

/** Calls `onEvent` for every live chat event (and `onResync` when the feed could not resume). */
export function useLiveChatEvents(onEvent: (event: ChatLiveEvent) => void, onResync?: () => void): void {
  const live = useLive();
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };
  useEffect(() => {
    const offEvent = live.onEvent((event) => handlers.current.onEvent(event));
    const offResync = live.onResync(() => handlers.current.onResync?.());
    return () => {
      offEvent();
      offResync();
    };
  }, [live]);
}

export function useLiveState(): LiveState {
  const live = useLive();
  const [state, setState] = useState(live.state);
  useEffect(() => live.onState(setState), [live]);
  return state;
}
