import { SendMessageRequestedV1, decodeEnvelope, parseEvent } from '@switchboard/contracts';
import type { Logger } from 'pino';
import { z } from 'zod';
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

  async replay(input: z.input<typeof replayDeadLettersSchema>): Promise<string[]> {
    const { commandIds } = replayDeadLettersSchema.parse(input);
    const replayed = await this.deps.deliveries.replayDead(commandIds);
    if (replayed.length > 0) {
      this.deps.logger.info({ replayed }, 'bridge dead letters replayed');
      this.deps.onReplayed();
    }
    return replayed;
  }
}
