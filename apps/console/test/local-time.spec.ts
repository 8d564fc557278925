import { defaultStart, fromLocalInput, toLocalInput } from '../src/planning/local-time';

describe('datetime-local values and API instants', () => {
  it('round-trips an instant through the input value, to the second', () => {
    const at = new Date('2026-12-01T18:30:05.000Z');
    expect(toLocalInput(at)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(fromLocalInput(toLocalInput(at))).toBe('2026-12-01T18:30:05.000Z');
  });

  it('reads the value in local time, with or without seconds', () => {
    expect(fromLocalInput('2026-12-01T18:30')).toBe(new Date(2026, 11, 1, 18, 30, 0).toISOString());
    expect(fromLocalInput('2026-12-01T18:30:42')).toBe(new Date(2026, 11, 1, 18, 30, 42).toISOString());
    expect(fromLocalInput('2026-12-01T18:30:42.500')).toBe(new Date(2026, 11, 1, 18, 30, 42).toISOString());
  });

  it('refuses empty, malformed and impossible values instead of rolling them over', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('завтра')).toBeNull();
    expect(fromLocalInput('2026-02-31T10:00')).toBeNull();
    expect(fromLocalInput('2026-13-01T10:00')).toBeNull();
  });

  it('starts a form ahead of now on a whole minute', () => {
    const start = defaultStart(new Date(2026, 11, 1, 18, 30, 42, 123), 15);
    expect([start.getHours(), start.getMinutes(), start.getSeconds(), start.getMilliseconds()]).toEqual([18, 45, 0, 0]);
  });
});
