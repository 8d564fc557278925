import { runServiceMain } from '@switchboard/service-kit';
import { chatConfigSchema } from './chat.config';
import { startChatService } from './chat.service-runner';

/** Distributed entry point: one chat service process (scale out by running more; Kafka splits partitions). */
runServiceMain({ name: 'chat', configSchema: chatConfigSchema, start: (startChatService) });
