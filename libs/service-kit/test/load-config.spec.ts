import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, env, loadConfig } from '../src/config/load-config';
import { credentialsKeySchema } from '../src/crypto/credential-cipher';
import { busConfigSchema } from '../src/runtime/bus-runtime';

/** Shaped like a service's config: shared helpers plus the shared bus settings. */
const schema = z
  .object({
    PORT: env.port(3002),
    DATABASE_URL: env.url(),
    JWT_SECRET: env.secret(),
    CREDENTIALS_KEY: credentialsKeySchema,
    CORS_ORIGINS: env.optionalList(),
  })
  .extend(busConfigSchema.shape);

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/switchboard',
  JWT_SECRET: 'x'.repeat(32),
  CREDENTIALS_KEY: randomBytes(32).toString('base64'),
};

function configError(environment: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig('chat', schema, environment);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('parses a valid environment, applying defaults and coercing numbers and lists', () => {
    const config = loadConfig('chat', schema, { ...valid, KAFKA_BROKERS: ' a:9092, b:9092 ,', KAFKA_MAX_WAIT_MS: '10', UNRELATED: 'ignored' });
    expect(config).toEqual({
      ...busConfigSchema.parse({}),
      ...valid,
      PORT: 3002,
      CORS_ORIGINS: [],
      KAFKA_BROKERS: ['a:9092', 'b:9092'],
      KAFKA_MAX_WAIT_MS: 10,
    });
    expect(config).toMatchObject({ KAFKA_PUBLISH_TIMEOUT_MS: 10_000, KAFKA_COMMIT_INTERVAL_MS: 500 });
    expect(config).not.toHaveProperty('UNRELATED');
    expect(loadConfig('chat', schema, { ...valid, PORT: '0' }).PORT).toBe(0);
  });

  it('reports every invalid variable at once, one line each, by name, without echoing secret values', () => {
    const secret = 'too-short-secret';
    const error = configError({
      PORT: '70000',
      JWT_SECRET: secret,
      CREDENTIALS_KEY: 'c2hvcnQ=',
      KAFKA_MAX_WAIT_MS: '-1',
      KAFKA_COMMIT_INTERVAL_MS: 'soon',
      DATABASE_URL: 'not a url',
    });
    expect(error.name).toBe('ConfigError');
    const [headline, ...lines] = error.message.split('\n');
    expect(headline).toBe('Invalid configuration for chat:');
    expect(lines.map((l) => l.match(/^ {2}- ([A-Z_]+): ./)?.[1]).sort()).toEqual(
      ['CREDENTIALS_KEY', 'DATABASE_URL', 'JWT_SECRET', 'KAFKA_COMMIT_INTERVAL_MS', 'KAFKA_MAX_WAIT_MS', 'PORT'].sort(),
    );
    const about = (name: string) => lines.find((l) => l.startsWith(`  - ${name}: `));
    expect(about('JWT_SECRET')).toBe('  - JWT_SECRET: must be at least 32 characters');
    expect(about('CREDENTIALS_KEY')).toBe('  - CREDENTIALS_KEY: must be 32 bytes encoded as base64');
    expect(about('PORT')).toMatch(/65535/);
    expect(about('KAFKA_MAX_WAIT_MS')).toMatch(/>=\s?0/);
    expect(about('KAFKA_COMMIT_INTERVAL_MS')).toMatch(/expected number/);
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('c2hvcnQ=');
  });

  it('names a missing required variable', () => {
    const error = configError({ JWT_SECRET: valid.JWT_SECRET, CREDENTIALS_KEY: valid.CREDENTIALS_KEY });
    expect(error.message.split('\n').slice(1)).toEqual([expect.stringMatching(/^ {2}- DATABASE_URL: .*(required|undefined)/)]);
  });

  it('treats a number variable that is set but blank as not set, instead of 0', () => {
    // `PORT=` must not mean "any free port", nor `KAFKA_PUBLISH_TIMEOUT_MS=` "fail every publish at once".
    const config = loadConfig('chat', schema, { ...valid, PORT: '', KAFKA_PUBLISH_TIMEOUT_MS: ' ' });
    expect(config.PORT).toBe(3002);
    expect(config.KAFKA_PUBLISH_TIMEOUT_MS).toBe(10_000);
  });
});
