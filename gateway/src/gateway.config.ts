import { z } from 'zod';
import { env, loadConfig } from '@switchboard/service-kit';

export const gatewayEnvSchema = z.object({
  PORT: env.port(4000),
  JWT_SECRET: env.secret(32),
  IDENTITY_SUBGRAPH_URL: env.url(),
  CHAT_SUBGRAPH_URL: env.url(),
  CHANNEL_TELEGRAM_SUBGRAPH_URL: env.url(),
  CORS_ORIGINS: env.optionalList(),
});

export interface GatewayConfig {
  port: number;
  jwtSecret: string;
  /** Keyed by the subgraph names in SUBGRAPHS / the supergraph. */
  subgraphUrls: Record<string, string>;
  corsOrigins: string[];
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
    },
    corsOrigins: vars.CORS_ORIGINS,
  };
}
