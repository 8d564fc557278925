import type { FailureCode, SendMessageRequested } from '@switchboard/contracts';
import { createHash } from 'node:crypto';
import { asRpcError, floodWaitSeconds, isSessionDead } from '../client/telegram-rpc-error';
import type { InputPeerUserRef, SentMessage, TelegramUserClient } from '../client/telegram-user-client.port';

/** Telegram's limit on one text message; longer texts go out as several messages in order. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** How one send ended, or that the session is dead (the account must log in again). */
export type SendResult =
  | { state: 'sent'; messageId: number }
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

/**
 * Sends one command's text (and reply) from the account. Flood waits up to the limit are waited out and
 * retried within the attempt budget; a longer one fails the send with Telegram's wait in the reason. Each
 * part carries a randomId derived from the command, so Telegram itself drops a retried duplicate.
 */
export async function sendCommand(
  client: TelegramUserClient,
  command: SendMessageRequested,
  peer: InputPeerUserRef,
  policy: SendPolicy,
): Promise<SendResult> {
  if (command.attachments.length > 0) {
    return failed('invalid_request', 'Files cannot be sent from a Telegram user account by this connector yet; send the text alone or use another channel');
  }
  const text = command.text?.trim() ? command.text : undefined;
  if (!text) return failed('invalid_request', 'The command has no text');
  const parts = splitText(text);
  let first: number | undefined;
  for (const [index, part] of parts.entries()) {
    const replyToMsgId = index === 0 && command.replyToPlatformMessageId ? Number(command.replyToPlatformMessageId) : undefined;
    const sent = await sendPart(client, { peer, text: part, randomId: randomIdOf(command.commandId, index), ...(replyToMsgId ? { replyToMsgId } : {}) }, policy);
    if ('state' in sent) {
      if (index === 0) return sent;
      return { ...sent, message: `partially sent (part ${index + 1} of ${parts.length} failed): ${sent.message}` };
    }
    first ??= sent.id;
  }
  return { state: 'sent', messageId: first! };
}

async function sendPart(
  client: TelegramUserClient,
  params: Parameters<TelegramUserClient['sendMessage']>[0],
  policy: SendPolicy,
): Promise<SentMessage | Extract<SendResult, { state: 'failed' }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.sendMessage(params);
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
