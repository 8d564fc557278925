import { isInteger, isSafeNumber, parse } from 'lossless-json';

/**
 * JSON.parse for Viber bodies. Viber writes message tokens as bare 64-bit integers (e.g.
 * 5491238571235484736), which JSON.parse rounds to the nearest double. Integers beyond 2^53 become their
 * exact decimal string here; every other number parses as usual. Throws SyntaxError on malformed JSON.
 */
export function parseViberJson(text: string): unknown {
  return parse(text, null, (value: string) => (isInteger(value) && !isSafeNumber(value) ? value : Number(value)));
}
