/** A search fragment with its matches marked; ranges are UTF-16 offsets, as JavaScript strings count. */
export function HighlightedText({ text, ranges }: { text: string; ranges: readonly { start: number; length: number }[] }) {
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const range of [...ranges].sort((a, b) => a.start - b.start)) {
    if (range.start < at) continue;
    if (range.start > at) parts.push({ text: text.slice(at, range.start), match: false });
    parts.push({ text: text.slice(range.start, range.start + range.length), match: true });
    at = range.start + range.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return <>{parts.map((part, index) => (part.match ? <mark key={index}>{part.text}</mark> : <span key={index}>{part.text}</span>))}</>;
}
