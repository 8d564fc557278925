import { SendMessageRequestedV1, decodeEnvelope, parseEvent } from '@switchboard/contracts';
import { recordAuditEntry } from '@switchboard/service-kit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
import { BRIDGE_AUDIT_TARGET, type BridgeAudit } from '../connections/bridge-connection.service';
import type { DeliveryRepository } from './delivery.repository';

export const listDeadLettersSchema = z.object({
  connectionId: z.uuid('connectionId must be a connection id (UUID)').nullish(),
  first: z.number().int().min(1, 'first must be 1-500').max(500, 'first must be 1-500').default(50),
});

export const replayDeadLettersSchema = z.object({
  commandIds: z.array(z.uuid('each command id must be a UUID')).min(1, 'give at least one command id').max(500, 'at most 500 command ids at once'),
});

export interface DeadLetterView {
  commandId: string;
  connectionId: string;
  chatKey: string;
  chatId: string;
  text: string | null;
  attempts: number;
  lastStatus: number | null;
  lastError: string;
  queuedAt: Date;
  deadAt: Date;
}

/** The admin's view of deliveries that used up their attempts, and putting them back in the queue. */
export class DeadLetterService {
  constructor(private readonly deps: { deliveries: DeliveryRepository; onReplayed: () => void; logger: Logger }) {}

  async list(input: z.input<typeof listDeadLettersSchema>): Promise<DeadLetterView[]> {
    const { connectionId, first } = listDeadLettersSchema.parse(input);
    const dead = await this.deps.deliveries.listDead({ connectionId: connectionId ?? undefined, limit: first });
    return dead.map((delivery) => {
      const command = parseEvent(SendMessageRequestedV1, decodeEnvelope(delivery.command)).data;
      return {
        commandId: delivery.commandId,
        connectionId: delivery.connectionId,
        chatKey: delivery.chatKey,
        chatId: command.externalChatId,
        text: command.text ?? null,
        attempts: delivery.attempts,
        lastStatus: delivery.lastStatus,
        lastError: delivery.lastError ?? delivery.failureMessage ?? 'unknown',
        queuedAt: delivery.createdAt,
        deadAt: delivery.finishedAt ?? delivery.createdAt,
      };
    });
  }

  /**
   * Replays dead letters and audits it in the same transaction: one `dead-letter.replay` entry per bridge
   * whose replies were put back, listing them (ids that were not dead letters change nothing and are not
   * recorded), so a bridge's history is one `targetId` filter away.
   */
  async replay(input: z.input<typeof replayDeadLettersSchema>, audit: BridgeAudit): Promise<string[]> {
    const { commandIds } = replayDeadLettersSchema.parse(input);
    const replayed = await this.deps.deliveries.transaction(async (executor) => {
      const rows = await this.deps.deliveries.replayDead(commandIds, executor);
      const byConnection = new Map<string, string[]>();
      for (const row of rows) byConnection.set(row.connectionId, [...(byConnection.get(row.connectionId) ?? []), row.commandId]);
      for (const [connectionId, ids] of byConnection) {
        await recordAuditEntry(executor, CHANNEL_BRIDGE_SCHEMA, {
          ...audit,
          action: 'dead-letter.replay',
          target: { type: BRIDGE_AUDIT_TARGET, id: connectionId },
          details: { commandIds: ids },
        });
      }
      return rows.map((row) => row.commandId);
    });
    if (replayed.length > 0) {
      this.deps.logger.info({ replayed }, 'bridge dead letters replayed');
      this.deps.onReplayed();
    }
    return replayed;
  }
}
