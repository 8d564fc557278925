import type { SendMessageRequested } from '@switchboard/contracts';

/**
 * The JSON body Switchboard POSTs to a partner's outbound URL for one operator message
 * (docs/bridge.md, "Receiving replies"). Field names are part of the wire contract.
 */
export interface PartnerDeliveryPayload {
  /** Same for every attempt of one message: the partner's idempotency key (also sent as Idempotency-Key). */
  deliveryId: string;
  connectionId: string;
  /** The partner's chat id, as it came in (`chatId`, or the customer id when none was given). */
  chatId: string;
  text?: string;
  attachments: Array<{ url: string; fileName: string; mimeType: string; sizeBytes: number }>;
  /** The partner's id of the customer message this one answers. */
  replyToMessageId?: string;
  requestedAt: string;
}

export function partnerDeliveryPayload(command: SendMessageRequested): PartnerDeliveryPayload {
  return {
    deliveryId: command.commandId,
    connectionId: command.connection.id,
    chatId: command.externalChatId,
    ...(command.text !== undefined ? { text: command.text } : {}),
    attachments: command.attachments.map(({ url, fileName, mimeType, sizeBytes }) => ({ url, fileName, mimeType, sizeBytes })),
    ...(command.replyToPlatformMessageId ? { replyToMessageId: command.replyToPlatformMessageId } : {}),
    requestedAt: command.requestedAt,
  };
}
