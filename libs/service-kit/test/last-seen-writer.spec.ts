import { LastSeenWriter, createLogger } from '../src';

describe('LastSeenWriter', () => {
  it('writes each connection at most once per interval, the due ones in one call, and logs a failed write', async () => {
    const writes: string[][] = [];
    const warnings: string[] = [];
    const logger = createLogger('last-seen-test', 'silent');
    logger.warn = ((_: unknown, message: string) => void warnings.push(message)) as typeof logger.warn;
    let fail = false;
    const writer = new LastSeenWriter({
      write: async (ids) => {
        writes.push(ids);
        if (fail) throw new Error('database away');
      },
      column: 'last_webhook_at',
      logger,
      intervalMs: 50,
    });
    writer.seen(['a', 'b']);
    writer.seen(['a', 'b', 'c']);
    writer.seen(new Set(['a']));
    expect(writes).toEqual([['a', 'b'], ['c']]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    fail = true;
    writer.seen(['a', 'c']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual([['a', 'b'], ['c'], ['a', 'c']]);
    expect(warnings).toEqual(['could not record last_webhook_at']);
  });
});
