import { runServiceMain } from '@switchboard/service-kit';
import { tasksConfigSchema } from './tasks.config';
import { startTasksService } from './tasks.service-runner';

/** Distributed entry point: one tasks service process (scale out by running more: reminders still fire once, decision 0022). */
runServiceMain({ name: 'tasks', configSchema: tasksConfigSchema, start: (startTasksService) });
