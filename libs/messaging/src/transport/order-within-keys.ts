/**
 * Per-key order by `orderOf` (e.g. platform time) without disturbing other keys: each key's items take the
 * positions that key had in the batch, in order (stable for equal values). Connectors use it so the bus
 * (per-key order) hands a chat's events to the chat service in the order they happened.
 */
export function orderWithinKeys<T>(items: readonly T[], keyOf: (item: T) => string, orderOf: (item: T) => number): T[] {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const list = byKey.get(keyOf(item)) ?? [];
    list.push(item);
    byKey.set(keyOf(item), list);
  }
  for (const list of byKey.values()) list.sort((a, b) => orderOf(a) - orderOf(b));
  const cursors = new Map<string, number>();
  return items.map((item) => {
    const key = keyOf(item);
    const index = cursors.get(key) ?? 0;
    cursors.set(key, index + 1);
    return byKey.get(key)![index]!;
  });
}
