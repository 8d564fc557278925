/**
 * A statement's text, built once on first use, not when the module loads: the modules it is built from
 * (chat.config's CHAT_SCHEMA) may not be initialised yet then, in an import cycle. One string per statement
 * is also what a prepared statement's name is derived from (queryPrepared).
 */
export function statementText(make: () => string): () => string {
  let text: string | undefined;
  return () => (text ??= make());
}
