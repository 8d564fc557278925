import { Counter, Histogram, type Registry } from 'prom-client';

/** The connector's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelWhatsAppMetrics {
  readonly webhookDuration: Histogram<'status'>;
  readonly inboundEvents: Counter<'kind'>;
  readonly ignoredEntries: Counter<'reason'>;
  readonly outboundSends: Counter<'type'>;
  readonly sendFailures: Counter<'reason'>;

  constructor(registry: Registry) {
    this.webhookDuration = new Histogram({
      name: 'whatsapp_webhook_duration_seconds',
      help: 'Time from receiving a WhatsApp webhook to answering it (includes the bus publish).',
      labelNames: ['status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    });
    this.inboundEvents = new Counter({
      name: 'whatsapp_inbound_events_total',
      help: 'Events published to the bus from WhatsApp webhooks, by kind (unrecognised included).',
      labelNames: ['kind'],
      registers: [registry],
    });
    this.ignoredEntries = new Counter({
      name: 'whatsapp_ignored_changes_total',
      help: 'Webhook changes not published: for a number that is not connected here, or a field we do not subscribe to.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.outboundSends = new Counter({
      name: 'whatsapp_outbound_sends_total',
      help: 'Messages the Cloud API accepted, by message type.',
      labelNames: ['type'],
      registers: [registry],
    });
    this.sendFailures = new Counter({
      name: 'whatsapp_send_failures_total',
      help: 'Send commands that ended failed, by reason (failure code).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }
}
