import type { Logger } from 'pino';

/**
 * What a service opened, closed in reverse order on stop: the HTTP server stops taking work before the
 * consumers drain, the relay stops before the bus closes, the database goes last. Every step runs even if
 * an earlier one fails; the failures are logged and thrown together. stop() is idempotent, so a failed
 * start-up can call it for cleanup and a later stop() is harmless.
 */
export class ShutdownSequence {
  private readonly steps: { name: string; close: () => Promise<void> }[] = [];
  private stopping?: Promise<void>;

  constructor(
    private readonly service: string,
    private readonly logger: Logger,
  ) {}

  /** Registers a step; call right after opening the thing it closes. */
  add(name: string, close: () => Promise<void>): void {
    this.steps.push({ name, close });
  }

  stop(): Promise<void> {
    return (this.stopping ??= this.run());
  }

  private async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.close();
      } catch (error) {
        this.logger.error({ err: error, step: step.name }, `${this.service} shutdown step failed`);
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `${this.service} did not stop cleanly`);
  }
}
