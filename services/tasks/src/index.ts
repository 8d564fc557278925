export * from './tasks.config';
export * from './tasks-data-source';
export * from './tasks.service-runner';
export { TASKS_MIGRATIONS } from './migrations';
