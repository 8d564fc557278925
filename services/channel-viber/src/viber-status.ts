import type { FailureCode } from '@switchboard/contracts';

/** Viber REST API status codes (https://developers.viber.com/docs/api/rest-bot-api/#error-codes). */
export const VIBER_STATUS = {
  ok: 0,
  invalidUrl: 1,
  invalidAuthToken: 2,
  badData: 3,
  missingData: 4,
  receiverNotRegistered: 5,
  notSubscribed: 6,
  publicAccountBlocked: 7,
  publicAccountNotFound: 8,
  publicAccountSuspended: 9,
  webhookNotSet: 10,
  receiverNoSuitableDevice: 11,
  tooManyRequests: 12,
} as const;

export interface StatusMeaning {
  code: FailureCode;
  /** A sentence an operator understands; Viber's status_message is appended. */
  reason: string;
  /** Retrying later may succeed (the outbound consumer backs off and tries again, a bounded number of times). */
  retryable: boolean;
  /** The bot itself is unusable (token revoked, account blocked): the connection is flagged for an admin. */
  connectionBroken: boolean;
}

/** What a non-zero send_message status means for the command and for the connection. */
export function statusMeaning(status: number): StatusMeaning {
  switch (status) {
    case VIBER_STATUS.invalidAuthToken:
      return broken('unauthorized', 'Viber rejected the bot auth token; reconnect the bot');
    case VIBER_STATUS.publicAccountBlocked:
      return broken('unauthorized', 'the Viber bot account is blocked');
    case VIBER_STATUS.publicAccountNotFound:
      return broken('unauthorized', 'the Viber bot account was not found');
    case VIBER_STATUS.publicAccountSuspended:
      return broken('unauthorized', 'the Viber bot account is suspended');
    case VIBER_STATUS.webhookNotSet:
      return broken('platform_error', 'Viber refuses sends because the bot has no webhook; reconnect the bot');
    case VIBER_STATUS.notSubscribed:
      return final('not_subscribed', 'the customer is not subscribed to the bot (Viber lets bots message subscribers only)');
    case VIBER_STATUS.receiverNotRegistered:
      return final('blocked', 'the receiver is not registered on Viber');
    case VIBER_STATUS.receiverNoSuitableDevice:
      return final('blocked', 'the receiver has no device that can receive the message');
    case VIBER_STATUS.tooManyRequests:
      return { code: 'rate_limited', reason: 'too many requests (Viber allows 100 unanswered messages per user per hour)', retryable: true, connectionBroken: false };
    case VIBER_STATUS.invalidUrl:
    case VIBER_STATUS.badData:
    case VIBER_STATUS.missingData:
      return final('invalid_request', 'Viber rejected the message as invalid');
    default:
      return final('platform_error', `Viber answered status ${status}`);
  }
}

function final(code: FailureCode, reason: string): StatusMeaning {
  return { code, reason, retryable: false, connectionBroken: false };
}

function broken(code: FailureCode, reason: string): StatusMeaning {
  return { code, reason, retryable: false, connectionBroken: true };
}
