export * from './chat.config';
export * from './chat.service-runner';
export { CHAT_MIGRATIONS } from './migrations';
