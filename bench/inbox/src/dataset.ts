import type { Principal } from '@switchboard/service-kit';
import { createHash } from 'node:crypto';

/**
 * The fixed part of the seeded world, identical on every run: connected accounts (a mix of channels, some
 * much busier than others), 200 operators, their connection memberships (1-3 each) and one admin.
 * Ids are md5-derived UUIDs so the SQL seed and the scenarios agree without reading them back.
 */

export const FULL_CHATS = 1_000_000;
/** Messages per chat on average; the seed gives chats 1..19 messages, exactly 10 per chat overall. */
export const MESSAGES_PER_CHAT = 10;
export const OPERATOR_COUNT = 200;

export function stableUuid(key: string): string {
  const hex = createHash('md5').update(key).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export interface Connection {
  index: number;
  id: string;
  channel: string;
  displayName: string;
  /** Share of all chats, percent. */
  weight: number;
}

const CONNECTION_SPECS: [channel: string, name: string, weight: number][] = [
  ['telegram', '@shop_main_bot', 14],
  ['telegram', '@shop_support_bot', 10],
  ['telegram', '@shop_kyiv_bot', 8],
  ['telegram', '@shop_lviv_bot', 6],
  ['telegram', '@shop_opt_bot', 4],
  ['telegram', '@shop_promo_bot', 3],
  ['viber', 'Shop Viber', 7],
  ['viber', 'Shop Viber Опт', 5],
  ['viber', 'Shop Viber Київ', 3],
  ['whatsapp', '+380 44 000 0001', 7],
  ['whatsapp', '+380 44 000 0002', 5],
  ['whatsapp', '+380 32 000 0003', 3],
  ['instagram', '@shop.ua', 6],
  ['instagram', '@shop.outlet', 4],
  ['messenger', 'Shop UA', 5],
  ['messenger', 'Shop Outlet', 3],
  ['facebook-comments', 'Shop UA (comments)', 3],
  ['instagram-comments', '@shop.ua (comments)', 2],
  ['telegram-user', '+380 67 000 0004', 1.5],
  ['bridge', 'Viber gateway', 0.5],
];

export const CONNECTIONS: Connection[] = CONNECTION_SPECS.map(([channel, displayName, weight], index) => ({
  index,
  id: stableUuid(`connection:${index}`),
  channel,
  displayName,
  weight,
}));

export const ADMIN: Principal = { employeeId: stableUuid('employee:admin'), role: 'admin', name: 'Ada Admin' };

export const OPERATORS: Principal[] = Array.from({ length: OPERATOR_COUNT }, (_, i) => ({
  employeeId: stableUuid(`employee:operator:${i}`),
  role: 'operator',
  name: `Operator ${i}`,
}));

/** mulberry32: a small deterministic PRNG, so memberships are the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weightedConnection(random: () => number): number {
  let r = random() * 100;
  for (const c of CONNECTIONS) {
    r -= c.weight;
    if (r < 0) return c.index;
  }
  return CONNECTIONS.length - 1;
}

/** Each operator works 1-3 connections, busier connections having more members; every connection has one. */
export const MEMBERSHIPS: { operator: number; connection: number }[] = (() => {
  const random = prng(4);
  const sets = OPERATORS.map(() => new Set<number>());
  sets.forEach((set) => {
    const want = 1 + Math.floor(random() * 3);
    for (let tries = 0; set.size < want && tries < 20; tries++) set.add(weightedConnection(random));
  });
  for (const c of CONNECTIONS) if (!sets.some((s) => s.has(c.index))) sets[c.index]!.add(c.index);
  return sets.flatMap((set, operator) => [...set].sort((a, b) => a - b).map((connection) => ({ operator, connection })));
})();

export interface Scale {
  chats: number;
  messages: number;
}

/** An even number of chats (the seed pairs chats to hit exactly ten messages per chat). */
export function scaleOf(fraction: number): Scale {
  const chats = Math.max(2, 2 * Math.round((FULL_CHATS * fraction) / 2));
  return { chats, messages: chats * MESSAGES_PER_CHAT };
}
