import { outboundMediaDecision, type FailureCode, type SendMessageRequested } from '@switchboard/contracts';
import { InternalFileError, type InternalFilesClient } from '@switchboard/service-kit';
import { createHash } from 'node:crypto';
import { asRpcError, floodWaitSeconds, isSessionDead } from '../client/telegram-rpc-error';
import type { InputPeerUserRef, OutgoingFile, SentMessage, TelegramUserClient } from '../client/telegram-user-client.port';

/** Telegram's limit on one text message; longer texts go out as several messages in order. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Telegram's limit on a media caption for accounts without Premium (which cannot be told from here). */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/** Where operators' files are read from (the files service's internal content route). */
export type OutboundFiles = Pick<InternalFilesClient, 'content'>;

/** How one send ended, or that the session is dead (the account must log in again). */
export type SendResult =
  /** messageId: the first message (the command's platform id); messageIds: every message it became, in order. */
  | { state: 'sent'; messageId: number; messageIds: number[] }
  | { state: 'failed'; code: FailureCode; message: string; sessionDead?: boolean; accountProblem?: string };

export interface SendPolicy {
  attempts: number;
  floodWaitMaxSeconds: number;
  /** Waits out a flood wait (abortable); false when the connector stops meanwhile. */
  wait: (seconds: number) => Promise<boolean>;
}

/** Thrown when the connector stopped during a wait: nothing reached Telegram, so the command can be queued again. */
export class SendInterruptedError extends Error {
  constructor() {
    super('stopped while waiting to send');
    this.name = 'SendInterruptedError';
  }
}

/** One message of a command: a text part, or a file with an optional caption. */
type SendStep = { text: string } | { file: OutgoingFile; caption?: string };

/**
 * Sends one command from the account: its text (in parts over 4096 characters) and its files (photos as
 * photos, everything else as documents), as a person would: a text short enough rides as the first file's
 * caption, a longer one goes first. Every file is read from the files service before anything is sent, so a
 * missing file fails the command without a partial send. Flood waits up to the limit are waited out and
 * retried within the attempt budget; a longer one fails the send with Telegram's wait in the reason. Each
 * message carries a randomId derived from the command, so Telegram itself drops a retried duplicate.
 */
export async function sendCommand(
  client: TelegramUserClient,
  command: SendMessageRequested,
  peer: InputPeerUserRef,
  policy: SendPolicy,
  files: OutboundFiles,
): Promise<SendResult> {
  const planned = await planSteps(command, files);
  if (!Array.isArray(planned)) return planned;
  const steps = planned;
  const ids: number[] = [];
  for (const [index, step] of steps.entries()) {
    const replyToMsgId = index === 0 && command.replyToPlatformMessageId ? Number(command.replyToPlatformMessageId) : undefined;
    const common = { peer, randomId: randomIdOf(command.commandId, index), ...(replyToMsgId && Number.isSafeInteger(replyToMsgId) ? { replyToMsgId } : {}) };
    const sent = await sendPart(
      () =>
        'text' in step
          ? client.sendMessage({ ...common, text: step.text })
          : client.sendFile({ ...common, file: step.file, ...(step.caption !== undefined ? { caption: step.caption } : {}) }),
      policy,
    );
    if ('state' in sent) {
      if (index === 0) return sent;
      return { ...sent, message: `partially sent (part ${index + 1} of ${steps.length} failed): ${sent.message}` };
    }
    ids.push(sent.id);
  }
  return { state: 'sent', messageId: ids[0]!, messageIds: ids };
}

async function planSteps(command: SendMessageRequested, files: OutboundFiles): Promise<SendStep[] | Extract<SendResult, { state: 'failed' }>> {
  const text = command.text?.trim() ? command.text : undefined;
  if (!text && command.attachments.length === 0) return failed('invalid_request', 'The command has neither text nor attachments');
  const outgoing: OutgoingFile[] = [];
  for (const attachment of command.attachments) {
    // The chat service checks the same rules before a send exists; a command from elsewhere is checked here.
    const decision = outboundMediaDecision('telegram-user', attachment);
    if (!decision.ok) return failed(decision.reason === 'MEDIA_TOO_LARGE' ? 'too_large' : 'invalid_request', decision.message);
    try {
      const { bytes } = await files.content(attachment.url, attachment.sizeBytes);
      outgoing.push({ bytes, fileName: attachment.fileName, mimeType: attachment.mimeType, as: decision.sendAs === 'photo' ? 'photo' : 'document' });
    } catch (error) {
      // Transient failures (files service down) are thrown: nothing was sent, so the command is tried again.
      if (error instanceof InternalFileError && error.permanent) return failed('invalid_request', `The file "${attachment.fileName}" cannot be sent: ${error.message}`);
      throw error;
    }
  }
  const captionFirst = text !== undefined && outgoing.length > 0 && text.length <= TELEGRAM_CAPTION_LIMIT;
  const steps: SendStep[] = text !== undefined && !captionFirst ? splitText(text).map((part) => ({ text: part })) : [];
  outgoing.forEach((file, index) => steps.push(captionFirst && index === 0 ? { file, caption: text } : { file }));
  return steps;
}

async function sendPart(send: () => Promise<SentMessage>, policy: SendPolicy): Promise<SentMessage | Extract<SendResult, { state: 'failed' }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const wait = floodWaitSeconds(error);
      if (wait !== undefined) {
        if (wait > policy.floodWaitMaxSeconds) {
          return failed('rate_limited', `Telegram asked to wait ${wait} s before sending (FLOOD_WAIT), longer than the ${policy.floodWaitMaxSeconds} s this connector waits`);
        }
        if (attempt >= policy.attempts) return failed('rate_limited', `Telegram kept asking to wait (FLOOD_WAIT ${wait} s) after ${attempt} attempts`);
        if (!(await policy.wait(wait))) throw new SendInterruptedError();
        continue;
      }
      const classified = classify(error);
      if (classified) return classified;
      throw error;
    }
  }
}

/** Telegram's answers that end a send; undefined for failures that are not Telegram's answer (network, bugs). */
function classify(error: unknown): Extract<SendResult, { state: 'failed' }> | undefined {
  const rpc = asRpcError(error);
  if (!rpc) return undefined;
  const name = rpc.errorMessage;
  if (isSessionDead(error)) {
    return { ...failed('unauthorized', `The Telegram session is no longer valid (${name}); log the account in again`), sessionDead: true };
  }
  switch (name) {
    case 'PEER_FLOOD':
      return {
        ...failed('rate_limited', 'Telegram limits this account from messaging people who did not write first (PEER_FLOOD); the account may be flagged as spam'),
        accountProblem: 'Telegram restricted the account (PEER_FLOOD): it may be flagged as spam; check it in a Telegram app (@SpamBot)',
      };
    case 'USER_IS_BLOCKED':
    case 'YOU_BLOCKED_USER':
    case 'CHAT_WRITE_FORBIDDEN':
    case 'PRIVACY_PREMIUM_REQUIRED':
      return failed('blocked', `The customer cannot be messaged from this account (${name})`);
    case 'INPUT_USER_DEACTIVATED':
    case 'USER_DEACTIVATED':
      return failed('blocked', `The customer's Telegram account was deleted (${name})`);
    case 'MESSAGE_TOO_LONG':
      return failed('too_large', `Telegram refused the text as too long (${name})`);
    case 'MEDIA_CAPTION_TOO_LONG':
      return failed('too_large', `Telegram refused the caption as too long (${name})`);
    case 'FILE_PARTS_INVALID':
    case 'FILE_PART_SIZE_INVALID':
    case 'PHOTO_INVALID_DIMENSIONS':
    case 'PHOTO_EXT_INVALID':
    case 'PHOTO_SAVE_FILE_INVALID':
    case 'MEDIA_EMPTY':
    case 'MEDIA_INVALID':
      return failed('invalid_request', `Telegram refused the file (${name})`);
    case 'PEER_ID_INVALID':
    case 'MESSAGE_EMPTY':
    case 'REPLY_MESSAGE_ID_INVALID':
      return failed('invalid_request', `Telegram refused the message (${name})`);
    case 'RANDOM_ID_DUPLICATE':
      return failed('unknown', 'Telegram reports this message was already sent (RANDOM_ID_DUPLICATE) but not its id; check the chat in Telegram');
    default:
      return failed('platform_error', `Telegram refused the message (${rpc.code} ${name})`);
  }
}

export function splitText(text: string): string[] {
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += TELEGRAM_TEXT_LIMIT) parts.push(text.slice(start, start + TELEGRAM_TEXT_LIMIT));
  return parts;
}

/** A signed 64-bit id derived from the command: the same command always sends with the same randomId. */
export function randomIdOf(commandId: string, part: number): string {
  return createHash('sha256').update(`${commandId}:${part}`).digest().readBigInt64BE(0).toString();
}

function failed(code: FailureCode, message: string): Extract<SendResult, { state: 'failed' }> {
  return { state: 'failed', code, message };
}
