import { Counter, Histogram, type Registry } from 'prom-client';

/** The bridge's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelBridgeMetrics {
  readonly inboundDuration: Histogram<'status'>;
  readonly inboundRequests: Counter<'outcome'>;
  readonly deliveryAttempts: Counter<'outcome'>;
  readonly deadLettered: Counter;

  constructor(registry: Registry) {
    this.inboundDuration = new Histogram({
      name: 'bridge_inbound_duration_seconds',
      help: 'Time from receiving a partner request to answering it (includes the outbox write).',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.inboundRequests = new Counter({
      name: 'bridge_inbound_requests_total',
      help: 'Partner requests by outcome: accepted, replayed (same Idempotency-Key and body) or the rejection code.',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.deliveryAttempts = new Counter({
      name: 'bridge_delivery_attempts_total',
      help: 'Outbound POSTs to partners by outcome: sent, failed (final 4xx), retry (will be tried again).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: 'bridge_dead_lettered_total',
      help: 'Outbound messages that used up their attempts and went to the dead-letter list.',
      registers: [registry],
    });
  }
}
