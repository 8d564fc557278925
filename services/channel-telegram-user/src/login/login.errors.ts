/** Telegram refused a login step; `reason` is Telegram's error name (PHONE_CODE_INVALID, PASSWORD_HASH_INVALID, FLOOD_WAIT, ...). */
export class TelegramUserLoginError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    /** For FLOOD_WAIT: how long Telegram refuses further attempts. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'TelegramUserLoginError';
  }
}

/** The login does not exist, expired, or is at another step. */
export class TelegramUserLoginNotFoundError extends Error {
  constructor(readonly loginId: string, detail: string) {
    super(`Login ${loginId} ${detail}; start the login again`);
    this.name = 'TelegramUserLoginNotFoundError';
  }
}

/** TELEGRAM_API_ID / TELEGRAM_API_HASH are not configured: no MTProto client can be created. */
export class TelegramUserApiNotConfiguredError extends Error {
  constructor() {
    super('TELEGRAM_API_ID and TELEGRAM_API_HASH are not configured: Telegram user accounts cannot be connected');
    this.name = 'TelegramUserApiNotConfiguredError';
  }
}

export class TelegramUserConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`Telegram user connection ${connectionId} does not exist`);
    this.name = 'TelegramUserConnectionNotFoundError';
  }
}

/** Human text for Telegram's login errors an admin meets; others show Telegram's name. */
export const LOGIN_ERROR_TEXT: Readonly<Record<string, string>> = {
  PHONE_NUMBER_INVALID: 'Telegram does not accept this phone number',
  PHONE_NUMBER_BANNED: 'Telegram has banned this phone number',
  PHONE_NUMBER_UNOCCUPIED: 'No Telegram account uses this phone number (create it in a Telegram app first)',
  PHONE_CODE_INVALID: 'The code is wrong; check it and try again',
  PHONE_CODE_EXPIRED: 'The code has expired; start the login again to get a new one',
  PHONE_CODE_EMPTY: 'The code is empty',
  PASSWORD_HASH_INVALID: 'The two-step verification password is wrong',
  PHONE_NUMBER_FLOOD: 'Too many login attempts for this number; Telegram asks to try much later',
  PHONE_PASSWORD_FLOOD: 'Too many password attempts; Telegram asks to try much later',
  FLOOD_WAIT: 'Too many attempts; Telegram asks to wait',
};
