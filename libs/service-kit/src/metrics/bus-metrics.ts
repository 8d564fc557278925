import { ObservedTransport, type BusObserver, type EventBus, type OutboxRelay } from '@switchboard/messaging';
import { Counter, Gauge, type Registry } from 'prom-client';
import { serviceOfRegistry } from '../http/operational-routes';
import { TracedTransport } from '../tracing/traced-transport';
import { serviceTracer } from '../tracing/tracing';

/**
 * The bus metrics every service exposes, named alike so one dashboard covers them all:
 * - bus_records_published_total{topic}: outbound rate (records the bus acknowledged);
 * - bus_records_consumed_total{group,topic}: inbound rate (records a consumer group finished);
 * - bus_consumer_lag{group,topic,partition}: records left in a partition after the group's latest batch
 *   (from the transport's high watermark; Kafka's own lag exporter or KEDA reads the broker for the exact
 *   figure, this one needs nothing but the service);
 * - bus_dead_letters_total{topic,group}: records parked on `<topic>.dlq` (alert on any increase).
 */
export class BusMetrics implements BusObserver {
  private readonly publishedTotal: Counter<'topic'>;
  private readonly consumedTotal: Counter<'group' | 'topic'>;
  private readonly lagGauge: Gauge<'group' | 'topic' | 'partition'>;
  private readonly deadLettersTotal: Counter<'topic' | 'group'>;

  constructor(registry: Registry) {
    this.publishedTotal = new Counter({
      name: 'bus_records_published_total',
      help: 'Records this service published and the bus acknowledged, by topic (dead letters excluded)',
      labelNames: ['topic'],
      registers: [registry],
    });
    this.consumedTotal = new Counter({
      name: 'bus_records_consumed_total',
      help: 'Records this service consumed and handled, by consumer group and topic',
      labelNames: ['group', 'topic'],
      registers: [registry],
    });
    this.lagGauge = new Gauge({
      name: 'bus_consumer_lag',
      help: 'Records of a partition still to be consumed by the group after its latest batch',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    });
    this.deadLettersTotal = new Counter({
      name: 'bus_dead_letters_total',
      help: 'Records parked on the dead-letter topic <topic>.dlq after failing every attempt, by original topic and group',
      labelNames: ['topic', 'group'],
      registers: [registry],
    });
  }

  published(topic: string, count: number): void {
    this.publishedTotal.inc({ topic }, count);
  }

  deadLettered(topic: string, group: string, count: number): void {
    this.deadLettersTotal.inc({ topic, group }, count);
  }

  consumed(group: string, topic: string, count: number): void {
    this.consumedTotal.inc({ group, topic }, count);
  }

  lag(group: string, topic: string, partition: number, lag: number): void {
    this.lagGauge.set({ group, topic, partition: String(partition) }, lag);
  }
}

/**
 * The bus a service should use: `bus` seen through an ObservedTransport reporting to the service's
 * registry. `owned`: whether the service created `bus` (then closing the result closes it); a bus shared by
 * the process (standalone, tests) is left open.
 */
export function observeBus(options: { bus: EventBus; registry: Registry; owned: boolean }): EventBus {
  const observed = new ObservedTransport(options.bus.transport, new BusMetrics(options.registry), options.owned);
  // With tracing on, the same view also makes the service's publish and consume spans (decision 0037).
  const service = serviceOfRegistry(options.registry);
  const tracer = service === undefined ? undefined : serviceTracer(service);
  return options.bus.withTransport(tracer ? new TracedTransport(observed, tracer) : observed);
}

/** `<prefix>_outbox_backlog`: events committed but not yet on the bus (grows while the bus is away). */
export function registerOutboxBacklogGauge(options: { registry: Registry; prefix: string; relay: Pick<OutboxRelay, 'backlog'> }): void {
  new Gauge({
    name: `${options.prefix}_outbox_backlog`,
    help: 'Events waiting in the outbox to be published',
    registers: [options.registry],
    async collect(this: Gauge) {
      this.set(await options.relay.backlog());
    },
  });
}
