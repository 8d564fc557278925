import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger, loadConfig, env, startTracingFromConfig, tracingConfigSchema } from '@switchboard/service-kit';
import { TelegramBotApiDouble } from '@switchboard/testing';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { startSwitchboard } from './switchboard.composition';

/*
 * `npm start`: the whole product in one process on a machine with only Node. Embedded PostgreSQL
 * (PGlite) keeps data in SWITCHBOARD_DATA_DIR across restarts, the bus is the PostgreSQL log, and a local
 * Telegram Bot API double plays the platform so a conversation can be tried without internet.
 */
const standaloneConfigSchema = z.object({
  PORT: env.port(4000),
  SWITCHBOARD_DATA_DIR: z.string().default('.switchboard'),
  DEMO_ADMIN_EMAIL: z.email().default('admin@switchboard.local'),
  DEMO_ADMIN_PASSWORD: z.string().min(8).default('switchboard'),
  DEMO_TELEGRAM_PORT: env.port(4100),
  /** Meta Graph API root for channel-whatsapp and channel-meta (default https://graph.facebook.com). */
  META_GRAPH_API_BASE_URL: z.url().optional(),
  /** WhatsApp Cloud API root for channel-whatsapp only (wins over META_GRAPH_API_BASE_URL there). */
  WHATSAPP_GRAPH_API_BASE_URL: z.url().optional(),
  /** Telegram user accounts (MTProto): this deployment's api_id/api_hash from my.telegram.org; both or neither. */
  TELEGRAM_API_ID: z.coerce.number().int().positive().optional(),
  TELEGRAM_API_HASH: z.string().regex(/^[0-9a-f]{32}$/).optional(),
  LOG_LEVEL: z.string().default('info'),
  /** The built operator console, served at / (`npm start` builds it first); empty: the API only. */
  CONSOLE_DIR: z.string().default(join(__dirname, '..', '..', '..', 'apps', 'console', 'dist')),
});

const DEMO_BOT = { token: '100001:DEMO-switchboard-bot-token', id: 100001, username: 'switchboard_demo_bot', firstName: 'Switchboard Demo' };

/** Secrets are generated once per data directory, so tokens and encrypted credentials survive restarts. */
function loadOrCreateSecrets(dataDir: string): { jwtSecret: string; credentialsKey: string } {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { jwtSecret: string; credentialsKey: string };
  const secrets = { jwtSecret: randomBytes(32).toString('hex'), credentialsKey: randomBytes(32).toString('base64') };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function main(): Promise<void> {
  const config = loadConfig('standalone', standaloneConfigSchema);
  const logger = createLogger('switchboard', config.LOG_LEVEL, { nameKey: 'process' });
  const dataDir = resolve(config.SWITCHBOARD_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const secrets = loadOrCreateSecrets(dataDir);
  // Before any service starts, so the first webhook and consumed batch are traced too (decision 0037): one
  // exporter, a tracer per service, as with one process per service.
  const tracing = await startTracingFromConfig(loadConfig('standalone', tracingConfigSchema));
  if (tracing) logger.info('tracing on: spans go to OTEL_EXPORTER_OTLP_ENDPOINT');

  logger.info({ dataDir }, 'starting embedded PostgreSQL');
  const database = await startEmbeddedPostgres({ dataDir: join(dataDir, 'pgdata') });

  const telegram = new TelegramBotApiDouble({ port: config.DEMO_TELEGRAM_PORT, requireKnownChat: false });
  await telegram.start();
  telegram.registerBot(DEMO_BOT);

  const consoleDir = config.CONSOLE_DIR && existsSync(join(config.CONSOLE_DIR, 'index.html')) ? resolve(config.CONSOLE_DIR) : undefined;
  if (config.CONSOLE_DIR && !consoleDir) logger.warn({ consoleDir: config.CONSOLE_DIR }, 'operator console not built: serving the API only (npm run build -w @switchboard/console)');

  const switchboard = await startSwitchboard({
    databaseUrl: database.url,
    jwtSecret: secrets.jwtSecret,
    credentialsKey: secrets.credentialsKey,
    telegramApiBaseUrl: telegram.baseUrl,
    telegramPollTimeoutSeconds: 5,
    ...(config.META_GRAPH_API_BASE_URL ? { metaGraphApiBaseUrl: config.META_GRAPH_API_BASE_URL } : {}),
    ...(config.WHATSAPP_GRAPH_API_BASE_URL ? { whatsAppGraphApiBaseUrl: config.WHATSAPP_GRAPH_API_BASE_URL } : {}),
    ...(config.TELEGRAM_API_ID !== undefined && config.TELEGRAM_API_HASH ? { telegramApiId: config.TELEGRAM_API_ID, telegramApiHash: config.TELEGRAM_API_HASH } : {}),
    ports: { gateway: config.PORT },
    admin: { email: config.DEMO_ADMIN_EMAIL, password: config.DEMO_ADMIN_PASSWORD, name: 'Demo Admin' },
    filesDir: join(dataDir, 'files'),
    ...(consoleDir ? { consoleDir } : {}),
    logger,
  });

  // Standalone starts every service in this process, so the connector is here.
  const connector = switchboard.channelTelegram;
  if (!connector) throw new Error('the standalone runtime starts channel-telegram itself');
  const demo = await connector.connections.ensureConnected({ token: DEMO_BOT.token, displayName: 'Demo shop bot' });
  if (demo.created) {
    // A CRM client the first demo customer matches by Telegram username, so the detail panel (D1) has a company and an order to show.
    const directory = switchboard.crm.directory;
    const company = await directory.createCompany({ name: 'ТОВ "Меблі Коваль"', website: 'https://mebli-koval.example' });
    const client = await directory.createClient({ name: 'Оксана Коваль', companyId: company.id, email: 'oksana@mebli-koval.example', phone: '+380 67 000 10 42', socialProfiles: [{ kind: 'telegram', handle: 'oksana_k' }] });
    await directory.createOrder({ number: '1042', clientId: client.id, status: 'shipped', totalAmount: '12500.00', currency: 'UAH' });
    const customer = telegram.customer(DEMO_BOT.token, { id: 500001, firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k', languageCode: 'uk' });
    await customer.sendText('Добрий день! Де моє замовлення №1042?');
    const second = telegram.customer(DEMO_BOT.token, { id: 500002, firstName: 'Taras', username: 'taras_dev', languageCode: 'en' });
    await second.sendText('Hi! Do you ship to Lviv?');
  }

  const url = `http://localhost:${switchboard.gateway.port}/graphql`;
  process.stdout.write(
    [
      '',
      'Switchboard is running (standalone: embedded PostgreSQL, in-process bus, demo Telegram double).',
      ...(consoleDir ? [`  Console:    http://localhost:${switchboard.gateway.port}/`] : []),
      `  GraphQL:    ${url}`,
      `  Demo login: ${config.DEMO_ADMIN_EMAIL} / ${config.DEMO_ADMIN_PASSWORD}`,
      `  Telegram double (Bot API for the demo bot @${DEMO_BOT.username}): ${telegram.baseUrl}`,
      `  Data:       ${dataDir}`,
      '',
      `  Try: curl -s ${url} -H 'content-type: application/json' \\`,
      `         -d '{"query":"mutation { login(input: {email: \\"${config.DEMO_ADMIN_EMAIL}\\", password: \\"${config.DEMO_ADMIN_PASSWORD}\\"}) { accessToken } }"}'`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await switchboard.stop();
    // The spans of the drain are the last ones: export them before exiting.
    await tracing?.shutdown();
    await telegram.stop();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
