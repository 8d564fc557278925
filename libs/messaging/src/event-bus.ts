import { encodeEnvelope, type Envelope } from '@switchboard/contracts';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { reliableBatchHandler, type EnvelopeBatchHandler } from './consumer/reliable-batch-handler';
import type { BusTransport, ConsumerHandle, OutgoingRecord } from './transport/bus-transport';
import { traceHeadersFor } from './transport/trace-context';

export interface EventToPublish {
  topic: string;
  envelope: Envelope;
}

export function toOutgoingRecord({ topic, envelope }: EventToPublish): OutgoingRecord {
  return {
    topic,
    key: envelope.key,
    value: encodeEnvelope(envelope),
    // Headers let consumers route and trace without parsing the value.
    headers: {
      'event-id': envelope.id,
      'event-type': `${envelope.type}.v${envelope.version}`,
      'correlation-id': envelope.correlationId,
      ...(envelope.causationId ? { 'causation-id': envelope.causationId } : {}),
      // W3C traceparent/tracestate when tracing is on (decision 0037); nothing otherwise.
      ...traceHeadersFor(envelope),
    },
  };
}

/**
 * What services use: publish envelopes, subscribe with a batch handler that gets validated envelopes,
 * retries and dead-lettering for free. Consumers are tracked so shutdown drains them all.
 */
export class EventBus {
  private readonly consumers: ConsumerHandle[] = [];

  constructor(
    readonly transport: BusTransport,
    private readonly logger: Logger,
  ) {}

  /**
   * The same bus through another transport, typically an ObservedTransport around this one's: how each
   * service counts its own traffic on a bus shared in one process. Its consumers are tracked (and drained by
   * its close()) separately from this bus's.
   */
  withTransport(transport: BusTransport): EventBus {
    return new EventBus(transport, this.logger);
  }

  async publish(events: readonly EventToPublish[]): Promise<void> {
    if (events.length === 0) return;
    await this.transport.publish(events.map(toOutgoingRecord));
  }

  async subscribe(options: {
    group: string;
    topics: readonly string[];
    handler: EnvelopeBatchHandler;
    backoff?: BackoffPolicy;
    /** See ConsumeOptions.background. */
    background?: boolean;
  }): Promise<ConsumerHandle> {
    const handleBatch = reliableBatchHandler({
      handler: options.handler,
      group: options.group,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      logger: this.logger.child({ group: options.group }),
      publishDeadLetters: (records) => this.transport.publish(records),
    });
    const handle = await this.transport.consume({
      group: options.group,
      topics: options.topics,
      handleBatch,
      ...(options.background ? { background: true } : {}),
    });
    this.consumers.push(handle);
    return handle;
  }

  /** Drain consumers first (their in-flight work may still publish), then close the transport. */
  async close(): Promise<void> {
    const consumers = this.consumers.splice(0);
    await Promise.all(consumers.map((c) => c.stop()));
    await this.transport.close();
  }
}
