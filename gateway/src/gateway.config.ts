import { z } from 'zod';
import { env, loadConfig, rateLimitConfigSchema, trustProxyConfigSchema } from '@switchboard/service-kit';

export const gatewayEnvSchema = z.object({
  PORT: env.port(4000),
  JWT_SECRET: env.secret(32),
  IDENTITY_SUBGRAPH_URL: env.url(),
  CHAT_SUBGRAPH_URL: env.url(),
  CHANNEL_TELEGRAM_SUBGRAPH_URL: env.url(),
  CHANNEL_VIBER_SUBGRAPH_URL: env.url(),
  CHANNEL_BRIDGE_SUBGRAPH_URL: env.url(),
  TASKS_SUBGRAPH_URL: env.url(),
  CRM_SUBGRAPH_URL: env.url(),
  CHANNEL_WHATSAPP_SUBGRAPH_URL: env.url(),
  CHANNEL_META_SUBGRAPH_URL: env.url(),
  CHANNEL_TELEGRAM_USER_SUBGRAPH_URL: env.url(),
  FILES_SUBGRAPH_URL: env.url(),
  CORS_ORIGINS: env.optionalList(),
  /** Login attempts per client IP per 10 minutes. */
  LOGIN_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(100),
})
  .extend(rateLimitConfigSchema.shape)
  // TRUST_PROXY: proxies in front of the gateway that set X-Forwarded-For (1 behind ingress-nginx), read as
  // every service with a per-IP limit reads it; 0 trusts none.
  .extend(trustProxyConfigSchema.shape);

export interface GatewayConfig {
  port: number;
  jwtSecret: string;
  /** Keyed by the subgraph names in SUBGRAPHS / the supergraph. */
  subgraphUrls: Record<string, string>;
  corsOrigins: string[];
  trustProxy: number;
  loginAttemptsPerIp: number;
  /** Shared rate-limit counters; in memory per instance when unset. */
  redisUrl?: string;
}

export function loadGatewayConfig(source: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const vars = loadConfig('gateway', gatewayEnvSchema, source);
  return {
    port: vars.PORT,
    jwtSecret: vars.JWT_SECRET,
    subgraphUrls: {
      identity: vars.IDENTITY_SUBGRAPH_URL,
      chat: vars.CHAT_SUBGRAPH_URL,
      'channel-telegram': vars.CHANNEL_TELEGRAM_SUBGRAPH_URL,
      'channel-viber': vars.CHANNEL_VIBER_SUBGRAPH_URL,
      'channel-bridge': vars.CHANNEL_BRIDGE_SUBGRAPH_URL,
      tasks: vars.TASKS_SUBGRAPH_URL,
      crm: vars.CRM_SUBGRAPH_URL,
      'channel-whatsapp': vars.CHANNEL_WHATSAPP_SUBGRAPH_URL,
      'channel-meta': vars.CHANNEL_META_SUBGRAPH_URL,
      'channel-telegram-user': vars.CHANNEL_TELEGRAM_USER_SUBGRAPH_URL,
      files: vars.FILES_SUBGRAPH_URL,
    },
    corsOrigins: vars.CORS_ORIGINS,
    trustProxy: vars.TRUST_PROXY,
    loginAttemptsPerIp: vars.LOGIN_RATE_LIMIT_PER_IP,
    ...(vars.REDIS_URL ? { redisUrl: vars.REDIS_URL } : {}),
  };
}
