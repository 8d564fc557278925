/**
 * Moves one code `delta` places (−1 up, +1 down) in the full list; the API's reorderChatStatuses takes
 * every code exactly once. Returns null when the move would leave the list (first up, last down) or the
 * code is not in it, so the page sends nothing.
 */
export function moveCode(codes: readonly string[], code: string, delta: -1 | 1): string[] | null {
  const from = codes.indexOf(code);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= codes.length) return null;
  const next = [...codes];
  next.splice(from, 1);
  next.splice(to, 0, code);
  return next;
}
