import { Counter, Histogram, type Registry } from 'prom-client';

/** The connector's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelTelegramMetrics {
  readonly webhookDuration: Histogram<'status'>;
  readonly inboundEvents: Counter<'kind'>;
  readonly outboundSends: Counter<'method'>;
  readonly sendFailures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.webhookDuration = new Histogram({
      name: 'telegram_webhook_duration_seconds',
      help: 'Time from receiving a Telegram webhook to answering it (includes the bus publish).',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.inboundEvents = new Counter({
      name: 'telegram_inbound_events_total',
      help: 'Telegram updates published to the bus, by kind (unrecognised included).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.outboundSends = new Counter({
      name: 'telegram_outbound_sends_total',
      help: 'Messages the Bot API accepted, by API method.',
      labelNames: ['method'],
      registers: [registry],
    });
    this.sendFailures = new Counter({
      name: 'telegram_send_failures_total',
      help: 'Send commands that ended failed, by reason (failure code).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
