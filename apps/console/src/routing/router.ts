import { useSyncExternalStore } from 'react';

/**
 * A minimal history router: the console has three screens (login, list, list + chat), which a path and a
 * query string describe fully. Links are real URLs, so a view can be shared and reloaded.
 */
const NAVIGATED = 'switchboard:navigated';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The chat a path opens: /chats/<id>. */
export function chatIdOf(pathname: string): string | null {
  const match = /^\/chats\/([^/]+)\/?$/.exec(pathname);
  return match ? decodeURIComponent(match[1]!) : null;
}

export function chatPath(chatId: string, search: string): string {
  return `/chats/${encodeURIComponent(chatId)}${search}`;
}
