/*
 * deploy/grafana/switchboard.json against the code: every metric a panel queries is registered by some
 * service (prom-client constructors and registerOutboxBacklogGauge in the sources), and every label it
 * filters or groups by is one those metrics declare (or one every series has). A renamed metric or label
 * fails here instead of leaving a panel silently empty. test/e2e/metrics.e2e.spec.ts checks the same names
 * against the /metrics of a running stack.
 */
import {
  baseMetricOf,
  dashboardQueries,
  groupingLabelsOf,
  registeredMetrics,
  selectorsOf,
  seriesNames,
  type RegisteredMetric,
} from '../support/dashboard-metrics';

/** Labels every series carries: `service` (createMetricsRegistry's default label), and Prometheus' target labels. */
const COMMON_LABELS = ['service', 'instance', 'job'];

describe('Grafana dashboard (deploy/grafana/switchboard.json)', () => {
  const queries = dashboardQueries();
  const registered = registeredMetrics();
  const byName = new Map<string, RegisteredMetric>(registered.map((m) => [m.name, m]));
  const seriesOfCode = new Set(registered.flatMap(seriesNames));

  it('reads the sources and the dashboard (the scanners find what they should)', () => {
    // Guards against a scanner that silently finds nothing, which would make the checks below vacuous.
    expect(queries.length).toBeGreaterThanOrEqual(30);
    for (const name of ['bus_records_published_total', 'bus_consumer_lag', 'telegram_webhook_duration_seconds', 'identity_outbox_backlog', 'gateway_live_subscribers']) {
      expect(byName.has(name)).toBe(true);
    }
    expect(byName.get('bus_consumer_lag')!.labels).toEqual(['group', 'topic', 'partition']);
    expect(byName.get('telegram_webhook_duration_seconds')!.kind).toBe('histogram');
  });

  it('queries only metrics the services register', () => {
    const missing = queries.flatMap(({ panel, expr }) =>
      selectorsOf(expr)
        .filter((s) => !seriesOfCode.has(s.metric))
        .map((s) => `${panel}: ${s.metric} (in ${expr})`),
    );
    expect(missing).toEqual([]);
  });

  it('filters and groups only by labels those metrics declare', () => {
    const wrong: string[] = [];
    for (const { panel, expr } of queries) {
      const metrics = selectorsOf(expr).map((s) => ({ ...s, registered: byName.get(baseMetricOf(s.metric, new Set(byName.keys()))) }));
      const declared = (m: (typeof metrics)[number]) => [...COMMON_LABELS, ...(m.registered?.labels ?? []), ...(m.registered?.kind === 'histogram' ? ['le'] : [])];
      for (const m of metrics) for (const label of m.labels) if (!declared(m).includes(label)) wrong.push(`${panel}: ${m.metric} has no label ${label}`);
      for (const label of groupingLabelsOf(expr)) {
        if (!metrics.some((m) => declared(m).includes(label))) wrong.push(`${panel}: no metric of "${expr}" has label ${label}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('covers what issue 8 asks every service to expose', () => {
    const used = new Set(queries.flatMap(({ expr }) => selectorsOf(expr).map((s) => baseMetricOf(s.metric, new Set(byName.keys())))));
    for (const name of [
      'telegram_webhook_duration_seconds', // webhook latency
      'bus_records_published_total', // inbound and outbound rates
      'bus_records_consumed_total',
      'bus_consumer_lag', // consumer lag
      'bus_dead_letters_total', // DLQ
      'gateway_live_subscribers', // subscriptions
      'telegram_send_failures_total', // send failures by reason
      'rate_limit_refused_total', // login and webhook rate limits
      'identity_logins_total',
    ]) {
      expect(used.has(name)).toBe(true);
    }
    // Every outbox backlog gauge the code registers is on the dashboard.
    for (const metric of registered.filter((m) => m.name.endsWith('_outbox_backlog'))) expect(used.has(metric.name)).toBe(true);
  });
});
