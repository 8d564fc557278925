/** What became of each reply an admin asked to replay: the API leaves out ids that were no dead letters. */
export function replayOutcomes<R extends { commandId: string }>(requested: readonly R[], replayedIds: readonly string[]): (R & { replayed: boolean })[] {
  const replayed = new Set(replayedIds);
  return requested.map((row) => ({ ...row, replayed: replayed.has(row.commandId) }));
}
