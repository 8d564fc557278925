import { Counter, Gauge, type Registry } from 'prom-client';

/** The connector's own Prometheus metrics, registered on the service's registry (served at /metrics). */
export class ChannelTelegramUserMetrics {
  readonly updates: Counter<'update' | 'outcome'>;
  readonly backfilled: Counter<'outcome'>;
  readonly sends: Counter<'outcome'>;
  readonly floodWaits: Counter<'during'>;
  readonly liveClients: Gauge;
  readonly leaseChanges: Counter<'event'>;
  readonly logins: Counter<'step' | 'outcome'>;

  constructor(registry: Registry) {
    this.updates = new Counter({
      name: 'telegram_user_updates_total',
      help: 'MTProto updates received, by update class and outcome (published, duplicate, ignored, failed).',
      labelNames: ['update', 'outcome'],
      registers: [registry],
    });
    this.backfilled = new Counter({
      name: 'telegram_user_backfilled_messages_total',
      help: 'Messages fetched after a (re)connect, by outcome (published, duplicate, ignored).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.sends = new Counter({
      name: 'telegram_user_sends_total',
      help: 'Send commands completed, by outcome (sent or the failure code).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.floodWaits = new Counter({
      name: 'telegram_user_flood_waits_total',
      help: 'FLOOD_WAIT answers from Telegram, by what was being done (send, backfill).',
      labelNames: ['during'],
      registers: [registry],
    });
    this.liveClients = new Gauge({
      name: 'telegram_user_live_clients',
      help: 'MTProto clients this instance runs now (accounts whose lease it holds).',
      registers: [registry],
    });
    this.leaseChanges = new Counter({
      name: 'telegram_user_lease_events_total',
      help: 'Account lease events on this instance (acquired, lost, released).',
      labelNames: ['event'],
      registers: [registry],
    });
    this.logins = new Counter({
      name: 'telegram_user_login_steps_total',
      help: 'Login steps, by step (start, code, password) and outcome (ok, password_needed, or the Telegram error).',
      labelNames: ['step', 'outcome'],
      registers: [registry],
    });
  }
}
