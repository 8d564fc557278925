import { SendMessageRequestedV1, encodeEnvelope, outboundTopic, parseEvent, type Envelope } from '@switchboard/contracts';
import { ShutdownInProgressError, type BatchContext, type ConsumerHandle, type DecodedRecord, type EventBus, type OutboxRelay } from '@switchboard/messaging';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { OUTBOUND_CONSUMER_GROUP } from '../channel-bridge.config';
import type { BridgeConnectionRepository } from '../connections/bridge-connection.repository';
import { enqueueDeliveryResult } from './delivery-result.publisher';
import type { DeliveryRecord, DeliveryRepository, FinalOutcome } from './delivery.repository';

export interface BridgeOutboundConsumerDeps {
  bus: EventBus;
  dataSource: DataSource;
  relay: OutboxRelay;
  connections: BridgeConnectionRepository;
  deliveries: DeliveryRepository;
  /** Wakes the delivery worker after new deliveries were queued. */
  onQueued: () => void;
  logger: Logger;
}

/**
 * Takes send commands for the bridge off messenger.outbound.bridge.v1 and queues each in the deliveries
 * table (the worker POSTs it). The bus offset is committed only after the row committed, so a command is
 * never lost between the bus and the table. Idempotent per commandId: a redelivered command that already
 * finished re-publishes its stored result; one still in the queue is left to the worker.
 */
export class BridgeOutboundConsumer {
  private handle?: ConsumerHandle;
  private readonly logger: Logger;

  constructor(private readonly deps: BridgeOutboundConsumerDeps) {
    this.logger = deps.logger.child({ component: 'bridge-outbound' });
  }

  async start(): Promise<void> {
    this.handle = await this.deps.bus.subscribe({
      group: OUTBOUND_CONSUMER_GROUP,
      topics: [outboundTopic('bridge')],
      handler: (records, context) => this.handleBatch(records, context),
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
    this.handle = undefined;
  }

  private async handleBatch(records: DecodedRecord[], context: BatchContext): Promise<void> {
    let queued = false;
    for (const { envelope } of records) {
      if (!context.isActive()) throw new ShutdownInProgressError();
      queued = (await this.handleCommand(envelope)) || queued;
    }
    if (queued) this.deps.onQueued();
  }

  /** True when a new delivery was queued. */
  private async handleCommand(raw: Envelope): Promise<boolean> {
    // A contract violation throws: the reliable handler parks the record on the dead-letter topic.
    const command = parseEvent(SendMessageRequestedV1, raw);
    const { commandId, chatKey, connection: ref } = command.data;
    const log = this.logger.child({ commandId, chatKey, eventId: command.id });
    const row = { commandId, connectionId: ref.id, chatKey, command: encodeEnvelope(command) };

    const existing = await this.deps.deliveries.find(commandId);
    if (existing) {
      await this.republish(existing, log);
      return false;
    }
    const connection = await this.deps.connections.findById(ref.id);
    const refusal =
      !connection || ref.channel !== 'bridge'
        ? { code: 'invalid_request' as const, message: `Bridge connection ${ref.id} does not exist` }
        : connection.state !== 'active'
          ? { code: 'unauthorized' as const, message: `Bridge connection "${connection.name}" is disconnected` }
          : undefined;
    if (refusal) {
      const at = new Date();
      await this.deps.dataSource.transaction(async (manager) => {
        if (!(await this.deps.deliveries.insertFailed(manager, { ...row, ...refusal, at }))) return;
        const outcome: FinalOutcome = { state: 'failed', ...refusal, lastStatus: null };
        await enqueueDeliveryResult(manager, { command: row.command, outcome, at });
      });
      this.deps.relay.notify();
      log.warn({ code: refusal.code, reason: refusal.message }, 'bridge send refused');
      return false;
    }
    const queued = await this.deps.dataSource.transaction((manager) => this.deps.deliveries.enqueue(manager, row));
    if (queued) log.info('bridge delivery queued');
    return queued;
  }

  private async republish(existing: DeliveryRecord, log: Logger): Promise<void> {
    if (existing.state === 'pending') return;
    const outcome: FinalOutcome =
      existing.state === 'sent'
        ? { state: 'sent', platformMessageId: existing.platformMessageId! }
        : { state: existing.state, code: existing.failureCode!, message: existing.failureMessage ?? existing.failureCode!, lastStatus: existing.lastStatus };
    log.info({ state: existing.state }, 'send command already finished; re-publishing its result');
    await this.deps.dataSource.transaction((manager) =>
      enqueueDeliveryResult(manager, { command: existing.command, outcome, at: existing.finishedAt ?? new Date() }),
    );
    this.deps.relay.notify();
  }
}
