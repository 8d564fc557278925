import { CustomerTypingV1, OperatorTypingV1, parseEvent, type Envelope } from '@switchboard/contracts';
import type { Logger } from '@switchboard/service-kit';
import type { TypingReport, TypingStore } from './typing.store';

/**
 * Consumes messenger.presence.v1 (decision 0042): customers' and operators' typing becomes a chat.typing row
 * the live feed's ephemeral channel hands to the gateway. Ephemeral end to end: an expired report is dropped,
 * an event that is not a valid presence contract is logged and skipped, and a failed write is logged and not
 * retried (the next report, seconds later, replaces the lost one), so nothing here is ever dead-lettered.
 */
export class PresenceIngestService {
  constructor(
    private readonly store: TypingStore,
    private readonly logger: Logger,
    /** Wakes this instance's waiting feed reads (other instances find the rows by polling). */
    private readonly onRecorded: () => void,
  ) {}

  async apply(envelopes: readonly Envelope[], now = new Date()): Promise<void> {
    const reports: TypingReport[] = [];
    for (const envelope of envelopes) {
      const report = this.reportOf(envelope);
      if (report && new Date(report.expiresAt).getTime() > now.getTime()) reports.push(report);
    }
    if (reports.length === 0) return;
    try {
      if ((await this.store.record(reports)) > 0) this.onRecorded();
    } catch (error) {
      this.logger.warn({ err: error, reports: reports.length }, 'typing not recorded; dropped (ephemeral)');
    }
  }

  private reportOf(envelope: Envelope): TypingReport | undefined {
    try {
      if (envelope.type === CustomerTypingV1.type && envelope.version === CustomerTypingV1.version) {
        const { data } = parseEvent(CustomerTypingV1, envelope);
        return { kind: 'customer', chatKey: data.chatKey, activity: data.activity, occurredAt: data.occurredAt, expiresAt: data.expiresAt };
      }
      if (envelope.type === OperatorTypingV1.type && envelope.version === OperatorTypingV1.version) {
        const { data } = parseEvent(OperatorTypingV1, envelope);
        return {
          kind: 'employee',
          chatId: data.chatId,
          employeeId: data.employeeId,
          employeeName: data.employeeName,
          activity: data.activity,
          occurredAt: data.occurredAt,
          expiresAt: data.expiresAt,
        };
      }
      // Another presence event (a newer version, a new kind): not ours to show yet.
      this.logger.debug({ type: envelope.type, version: envelope.version }, 'presence event skipped: unknown type');
    } catch (error) {
      this.logger.warn({ err: error, eventId: envelope.id }, 'presence event skipped: not a valid contract');
    }
    return undefined;
  }
}
