import { busConfigSchema, env } from '@switchboard/service-kit';
import { z } from 'zod';

export const tasksConfigSchema = z
  .object({
    PORT: env.port(3010),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://...)'),
    JWT_SECRET: env.secret(),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(5),
    /** The chat service's base URL: tasks created from a chat are checked there (it owns chat visibility). */
    CHAT_SERVICE_URL: z.url('CHAT_SERVICE_URL must be the chat service base URL (http://host:port)'),
    /** How long live-feed events (fired reminders) stay resumable; a client away longer refetches instead. */
    FEED_RETENTION_HOURS: z.coerce.number().positive().default(24),
    /**
     * The longest a scheduler sleeps without looking for due reminders. Reminders written by this instance
     * wake it at once; this bounds how late a reminder written by another instance (that then died) fires.
     */
    REMINDER_POLL_MS: env.ms(250).pipe(z.number().min(10, 'REMINDER_POLL_MS must be at least 10').max(5_000, 'REMINDER_POLL_MS must be at most 5000')),
  })
  .extend(busConfigSchema.shape);

export type TasksConfig = z.output<typeof tasksConfigSchema>;

export const TASKS_SCHEMA = 'tasks';
export const TASKS_PRODUCER = 'tasks';
/** Consumer group names are part of operations (lag dashboards, DLQ replays): keep them stable. */
export const TASKS_CONSUMER_GROUPS = { chatEvents: 'tasks.chat-events' } as const;
