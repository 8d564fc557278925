import { queryRows } from '@switchboard/persistence';
import { DeliveryResultV1, parseEvent, type Envelope } from '@switchboard/contracts';
import type { EventToPublish } from '@switchboard/messaging';
import type { DataSource } from 'typeorm';
import { chatEvents } from '../chat-events.factory';
import { emitEvents } from '../feed/emit-events';

/**
 * Applies connectors' send outcomes. States only move forward (pending -> sent -> delivered -> read;
 * failed only from pending), so late or repeated results change nothing. One exception: a `sent` result
 * also moves a message that a connector reported failed *instead of* sending it (no platform message id,
 * so never accepted by the platform) to sent. That happens when an admin replays a dead-lettered delivery
 * (decision 0016) and the platform accepts it: the customer has the message, so the chat must say so. A
 * failure reported after the platform had accepted the message (DeliveryFailedV1, with its platform id)
 * stays final, so a re-published old result cannot undo it.
 */
export class DeliveryResultService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly onCommitted: () => void,
  ) {}

  async apply(envelopes: readonly Envelope[]): Promise<void> {
    const results = envelopes.map((e) => ({ envelope: e, data: parseEvent(DeliveryResultV1, e).data }));
    const events = await this.dataSource.transaction(async (manager) => {
      const out: EventToPublish[] = [];
      for (const { envelope, data } of results) {
        const rows = (await queryRows(manager,
          data.state === 'sent'
            ? `UPDATE chat.messages m SET delivery_state = 'sent', platform_message_id = $2, failure_code = NULL, failure_message = NULL
               FROM chat.chats c WHERE m.id = $1 AND c.id = m.chat_id
                 AND (m.delivery_state = 'pending' OR (m.delivery_state = 'failed' AND m.platform_message_id IS NULL))
               RETURNING m.id, c.id AS chat_id, c.number`
            : `UPDATE chat.messages m SET delivery_state = 'failed', failure_code = $2, failure_message = $3
               FROM chat.chats c WHERE m.id = $1 AND c.id = m.chat_id AND m.delivery_state = 'pending'
               RETURNING m.id, c.id AS chat_id, c.number`,
          data.state === 'sent' ? [data.commandId, data.platformMessageId] : [data.commandId, data.failure.code, data.failure.message],
        )) as { id: string; chat_id: string; number: string }[];
        for (const row of rows) {
          out.push(
            chatEvents.messageUpdated(
              {
                chatId: row.chat_id,
                chatNumber: Number(row.number),
                messageId: row.id,
                change: 'delivery',
                deliveryState: data.state,
                ...(data.state === 'failed' ? { failure: data.failure } : {}),
                changedAt: data.occurredAt,
              },
              envelope,
            ),
          );
        }
      }
      await emitEvents(manager, out);
      return out;
    });
    if (events.length > 0) this.onCommitted();
  }
}
