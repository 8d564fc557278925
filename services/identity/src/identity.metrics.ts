import { Counter, type Registry } from 'prom-client';

/** Service-specific Prometheus metrics; the registry also carries the process defaults. */
export class IdentityMetrics {
  readonly logins: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.logins = new Counter({
      name: 'identity_logins_total',
      help: 'Login attempts by outcome (success, wrong_credentials, locked, rate_limited): a burst of failures is an attack or an outage',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }
}
