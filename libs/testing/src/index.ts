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
export * from './bridge/bridge-partner.double';
export * from './bridge/bridge-partner.client';
export { partnerSignature } from './bridge/bridge-signature';
export * from './viber/viber-api.double';
export * from './viber/viber-callback.builders';
export * from './meta/graph-api.double';
export * from './meta/whatsapp-webhook.builders';
export * from './meta/page-webhook.builders';
export * from './internal/chat-visibility.double';
export * from './internal/files-internal.double';
export * from './telegram-user/telegram-user-cloud.double';
export * from './cluster/cluster-harness';
export * from './cluster/http-balancer';
export * from './cluster/inbound-ledger';
