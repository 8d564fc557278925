import type { Express } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { withTimeout } from '@switchboard/messaging';

export type ReadinessCheck = () => Promise<void>;

/**
 * /health says the process is alive (liveness); /ready says it can do its work now (the database and the
 * bus answer), so a load balancer stops sending traffic during an outage instead of failing requests.
 */
export function registerOperationalRoutes(app: Express, options: { service: string; checks: Record<string, ReadinessCheck>; registry: Registry }): void {
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: options.service });
  });
  app.get('/ready', async (_req, res) => {
    const results = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, (error as Error).message || 'failed'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: Object.fromEntries(results) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });
}

export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  registryServices.set(registry, service);
  return registry;
}

const registryServices = new WeakMap<Registry, string>();

/** The service a registry was made for by createMetricsRegistry: observeBus names the service's bus spans by it. */
export function serviceOfRegistry(registry: Registry): string | undefined {
  return registryServices.get(registry);
}

