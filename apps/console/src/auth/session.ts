import { useSyncExternalStore } from 'react';

/** Who is signed in. Kept in localStorage so a reload or a shared link keeps the operator signed in. */
export interface Session {
  accessToken: string;
  expiresAt: string;
  employee: { id: string; name: string; role: 'ADMIN' | 'OPERATOR' };
}

const STORAGE_KEY = 'switchboard.session';
const listeners = new Set<() => void>();
let current: Session | null = read();

function read(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    const session = raw ? (JSON.parse(raw) as Session) : null;
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  } catch {
    // A corrupt entry is as good as none: the operator signs in again.
    return null;
  }
}

function publish(next: Session | null): void {
  current = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

export const session = {
  get: (): Session | null => current,
  signIn: (next: Session): void => publish(next),
  signOut: (): void => publish(null),
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): Session | null {
  return useSyncExternalStore(session.subscribe, session.get);
}
