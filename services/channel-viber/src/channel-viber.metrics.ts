import { Counter, Histogram, type Registry } from 'prom-client';

/** The connector's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelViberMetrics {
  readonly webhookDuration: Histogram<'status'>;
  readonly callbacks: Counter<'event' | 'outcome'>;
  readonly mediaDownloads: Counter<'outcome'>;
  readonly outboundSends: Counter<'type'>;
  readonly sendFailures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.webhookDuration = new Histogram({
      name: 'viber_webhook_duration_seconds',
      help: 'Time from receiving a Viber callback to answering it (includes media download and the outbox commit).',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.callbacks = new Counter({
      name: 'viber_callbacks_total',
      help: 'Viber callbacks accepted, by event type and outcome (stored, duplicate, unrecognised).',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    });
    this.mediaDownloads = new Counter({
      name: 'viber_media_downloads_total',
      help: 'Media fetched from Viber callbacks, by outcome (stored, too_large, failed).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.outboundSends = new Counter({
      name: 'viber_outbound_sends_total',
      help: 'Messages Viber accepted (status 0), by message type.',
      labelNames: ['type'],
      registers: [registry],
    });
    this.sendFailures = new Counter({
      name: 'viber_send_failures_total',
      help: 'Send commands that ended failed, by reason (failure code).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
