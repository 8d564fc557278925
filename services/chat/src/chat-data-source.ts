import { createServiceDataSource } from '@switchboard/persistence';
import type { DataSource } from 'typeorm';
import { CHAT_SCHEMA } from './chat.config';
import { CHAT_MIGRATIONS } from './migrations';

/** The chat service's connection pool on its own schema and migrations; also what bench/inbox measures on. */
export function createChatDataSource(options: { url: string; poolSize?: number; applicationName?: string }): DataSource {
  return createServiceDataSource({
    url: options.url,
    schema: CHAT_SCHEMA,
    migrations: CHAT_MIGRATIONS,
    poolSize: options.poolSize,
    applicationName: options.applicationName ?? 'chat',
  });
}
