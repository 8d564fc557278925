import type { CustomerProfile } from '@switchboard/contracts';
import type { TlUser } from '../client/telegram-user-client.port';
import type { PeerRecord } from '../connections/connection.repository';

/** A name for people: first and last name, else @username, else the phone, else the id. */
export function displayNameOf(user: Pick<TlUser, 'id' | 'firstName' | 'lastName' | 'username' | 'phone'>): string {
  const name = [user.firstName, user.lastName].filter((part) => part && part.trim()).join(' ').trim();
  if (name) return name;
  if (user.username) return `@${user.username}`;
  if (user.phone) return `+${user.phone.replace(/^\+/, '')}`;
  return `Telegram user ${user.id.toString()}`;
}

export function peerOf(user: TlUser): PeerRecord {
  return {
    userId: user.id.toString(),
    accessHash: user.accessHash?.toString() ?? null,
    displayName: displayNameOf(user),
    username: user.username ?? null,
    phone: user.phone ? `+${user.phone.replace(/^\+/, '')}` : null,
    languageCode: user.langCode ?? null,
  };
}

export function customerOf(peer: PeerRecord | undefined, userId: string): CustomerProfile {
  if (!peer) return { externalId: userId, displayName: `Telegram user ${userId}` };
  return {
    externalId: userId,
    displayName: peer.displayName,
    ...(peer.username ? { username: peer.username, profileUrl: `https://t.me/${peer.username}` } : {}),
    ...(peer.phone ? { phone: peer.phone } : {}),
    ...(peer.languageCode ? { languageCode: peer.languageCode } : {}),
  };
}
