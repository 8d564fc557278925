import { busConfigSchema, env, rateLimitConfigSchema } from '@switchboard/service-kit';
import { z } from 'zod';

/** Shared by the service config and the create-admin CLI, so both accept the same passwords. */
export const MIN_PASSWORD_LENGTH = 8;

/**
 * Environment of the identity service. ADMIN_* seed the first admin on an empty database, so a fresh
 * deployment can be logged into without a manual step; they are ignored once any employee exists.
 */
export const identityConfigSchema = z
  .object({
    PORT: env.port(3001),
    DATABASE_URL: env.url(),
    JWT_SECRET: env.secret(32),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(43_200),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`).optional(),
    ADMIN_NAME: z.string().trim().min(1).optional(),
  })
  // The bus carries identity.employee-changed to the services that keep employees (the chat service).
  .extend(busConfigSchema.shape)
  // REDIS_URL: per-email login counters shared by every identity instance (in memory without it).
  .extend(rateLimitConfigSchema.shape)
  .superRefine((config, ctx) => {
    // Half a seed is almost certainly a deployment mistake: say so at start-up rather than start without an admin.
    if (config.ADMIN_EMAIL && !config.ADMIN_PASSWORD) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: 'is required when ADMIN_EMAIL is set' });
    }
    if (config.ADMIN_PASSWORD && !config.ADMIN_EMAIL) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_EMAIL'], message: 'is required when ADMIN_PASSWORD is set' });
    }
  });

export type IdentityConfig = z.output<typeof identityConfigSchema>;
