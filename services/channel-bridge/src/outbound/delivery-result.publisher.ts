import { DeliveryResultV1, SendMessageRequestedV1, TOPICS, createEnvelope, decodeEnvelope, parseEvent } from '@switchboard/contracts';
import { enqueueOutbox, type SqlExecutor } from '@switchboard/messaging';
import { CHANNEL_BRIDGE_SCHEMA, CHANNEL_BRIDGE_SERVICE } from '../channel-bridge.config';
import type { FinalOutcome } from './delivery.repository';

/**
 * Enqueues the DeliveryResultV1 of a finished delivery in the caller's transaction (the one that stored
 * the outcome), so a result is published if and only if the outcome committed. A dead letter reports
 * `failed`: the operator must see that the customer did not get the message.
 */
export async function enqueueDeliveryResult(executor: SqlExecutor, params: { command: string; outcome: FinalOutcome; at: Date }): Promise<void> {
  const command = parseEvent(SendMessageRequestedV1, decodeEnvelope(params.command));
  const { commandId, chatKey } = command.data;
  const occurredAt = params.at.toISOString();
  const data =
    params.outcome.state === 'sent'
      ? { state: 'sent' as const, commandId, chatKey, platformMessageId: params.outcome.platformMessageId, occurredAt }
      : { state: 'failed' as const, commandId, chatKey, failure: { code: params.outcome.code, message: params.outcome.message || params.outcome.code }, occurredAt };
  const result = createEnvelope(DeliveryResultV1, data, { producer: CHANNEL_BRIDGE_SERVICE, key: chatKey, cause: command });
  await enqueueOutbox(executor, CHANNEL_BRIDGE_SCHEMA, [{ topic: TOPICS.delivery, envelope: result }]);
}
