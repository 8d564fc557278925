import { Counter, Histogram, type Registry } from 'prom-client';

/** The connector's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelMetaMetrics {
  readonly webhookDuration: Histogram<'status'>;
  readonly inboundEvents: Counter<'kind'>;
  readonly ignoredItems: Counter<'reason'>;
  readonly outboundSends: Counter<'channel'>;
  readonly sendFailures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.webhookDuration = new Histogram({
      name: 'meta_webhook_duration_seconds',
      help: 'Time from receiving a Messenger/Instagram webhook to answering it (includes the bus publish).',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.inboundEvents = new Counter({
      name: 'meta_inbound_events_total',
      help: 'Events published to the bus from Meta webhooks, by kind (unrecognised included).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.ignoredItems = new Counter({
      name: 'meta_ignored_items_total',
      help: "Webhook items not published: another app's Page, the Page's own comments, echoes of our own sends.",
      labelNames: ['reason'],
      registers: [registry],
    });
    this.outboundSends = new Counter({
      name: 'meta_outbound_sends_total',
      help: 'Send commands Meta accepted, by channel.',
      labelNames: ['channel'],
      registers: [registry],
    });
    this.sendFailures = new Counter({
      name: 'meta_send_failures_total',
      help: 'Send commands that ended failed, by reason (failure code).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
