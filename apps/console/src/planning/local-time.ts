/*
 * <input type="datetime-local"> speaks the operator's wall-clock time without an offset ("2026-12-01T18:30"
 * or with seconds "...T18:30:05"); the API takes ISO 8601 instants. These convert between the two in the
 * browser's time zone.
 */

const pad = (value: number) => String(value).padStart(2, '0');

/** The input's value for `date`, to the second. */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/** The instant an input's value names (ISO 8601, UTC), or null when it is empty or not a real time. */
export function fromLocalInput(value: string): string | null {
  const match = LOCAL.exec(value.trim());
  if (!match) return null;
  const [year, month, day, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(year, month - 1, day, hours, minutes, seconds);
  // Date rolls 31.02 over to March: such a value is not a time the operator meant.
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.toISOString();
}

/** Starts a form's time field a little ahead of now, on a whole minute. */
export function defaultStart(now: Date, minutesAhead: number): Date {
  const start = new Date(now.getTime() + minutesAhead * 60_000);
  start.setSeconds(0, 0);
  return start;
}
