/** Telegram answered getMe with an error: the token is wrong or revoked. */
export class TelegramTokenRejectedError extends Error {
  constructor(readonly telegramDescription: string) {
    super('Telegram rejected the bot token');
    this.name = 'TelegramTokenRejectedError';
  }
}

/** Telegram refused to register our webhook URL (e.g. not HTTPS, unreachable host). */
export class TelegramWebhookRejectedError extends Error {
  constructor(readonly telegramDescription: string) {
    super(`Telegram refused the webhook: ${telegramDescription}`);
    this.name = 'TelegramWebhookRejectedError';
  }
}

export class TelegramConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`Telegram connection ${connectionId} does not exist`);
    this.name = 'TelegramConnectionNotFoundError';
  }
}
