export * from './telegram/telegram-api.types';
export * from './telegram/telegram-bot-api.double';
export {
  TelegramApiError,
  type InjectedFailure,
  type RequestLogEntry,
  type SentRecord,
  type TelegramBotRegistration,
  type WebhookDeliveryRecord,
} from './telegram/telegram-bot.state';
export * from './telegram/telegram-customer';
export * from './telegram/telegram-update.builders';
export type { ApiParams, UploadedFile } from './telegram/telegram-request-params';
export * from './kafka/kafka-mock-cluster';
export * from './postgres/test-database';
export * from './net/tcp-proxy';
export * from './net/free-port';
export * from './wait/wait-for';
export * from './identity/employee-changed';
export type { DocumentInput, StickerInput, VoiceInput } from './telegram/telegram-media.factory';
export * from './integration/integration-suite';
