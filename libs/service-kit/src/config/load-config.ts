import { z } from 'zod';

export class ConfigError extends Error {
  constructor(service: string, problems: string[]) {
    super(`Invalid configuration for ${service}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates environment variables at start-up and reports every problem at once, by variable name. */
export function loadConfig<TSchema extends z.ZodType>(service: string, schema: TSchema, env: NodeJS.ProcessEnv = process.env): z.output<TSchema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    service,
    result.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`),
  );
}

/**
 * `PORT=` (set but empty, e.g. an unresolved `${PORT}` in a compose file) means "not set": without this,
 * coercion turns '' into 0 and the service silently listens on a random port, or a timeout becomes 0 ms.
 */
const unsetIfBlank = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** Shared variable shapes, so every service spells and parses them the same way. */
export const env = {
  port: (fallback: number) => z.preprocess(unsetIfBlank, z.coerce.number().int().min(0).max(65535).default(fallback)),
  url: () => z.url(),
  optionalList: () =>
    z
      .string()
      .optional()
      .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
  ms: (fallback: number) => z.preprocess(unsetIfBlank, z.coerce.number().int().nonnegative().default(fallback)),
  /** A retention in whole hours, at least `least` (one by default; `why` says what a shorter one would break). */
  hours: (fallback: number, least = 1, why?: string) =>
    z.preprocess(
      unsetIfBlank,
      z.coerce
        .number()
        .int()
        .min(least, `must be at least ${least} hour${least === 1 ? '' : 's'}${why ? ` (${why})` : ''}`)
        .default(fallback),
    ),
  secret: (minLength = 32) => z.string().min(minLength, `must be at least ${minLength} characters`),
};
