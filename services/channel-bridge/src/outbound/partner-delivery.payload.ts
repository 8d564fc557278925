import type { SendMessageRequested } from '@switchboard/contracts';

/** A file of an operator's message as the partner gets it: a signed download link, no credentials needed. */
export interface PartnerAttachment {
  /** GET it (no headers needed) before `expiresAt`; signed for this one file by the files service. */
  url: string;
  expiresAt: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
}

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
  attachments: PartnerAttachment[];
  /** The partner's id of the customer message this one answers. */
  replyToMessageId?: string;
  requestedAt: string;
}

/** `links[i]` is the download link of the command's attachment i, signed for this attempt. */
export function partnerDeliveryPayload(command: SendMessageRequested, links: readonly { url: string; expiresAt: string }[]): PartnerDeliveryPayload {
  return {
    deliveryId: command.commandId,
    connectionId: command.connection.id,
    chatId: command.externalChatId,
    ...(command.text !== undefined ? { text: command.text } : {}),
    attachments: command.attachments.map(({ fileName, mimeType, sizeBytes }, index) => {
      const link = links[index];
      if (!link) throw new Error(`No download link for attachment ${index} of command ${command.commandId}`);
      return { url: link.url, expiresAt: link.expiresAt, fileName, mimeType, sizeBytes };
    }),
    ...(command.replyToPlatformMessageId ? { replyToMessageId: command.replyToPlatformMessageId } : {}),
    requestedAt: command.requestedAt,
  };
}
