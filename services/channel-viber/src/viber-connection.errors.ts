/** Viber answered get_account_info with an error: the token is wrong or revoked. */
export class ViberTokenRejectedError extends Error {
  constructor(readonly viberMessage: string) {
    super(`Viber rejected the auth token: ${viberMessage}`);
    this.name = 'ViberTokenRejectedError';
  }
}

/** Viber refused to register our webhook (it calls the URL at once and needs a 200 from it). */
export class ViberWebhookRejectedError extends Error {
  constructor(readonly viberMessage: string) {
    super(`Viber refused the webhook: ${viberMessage}`);
    this.name = 'ViberWebhookRejectedError';
  }
}

/** Connecting needs PUBLIC_WEBHOOK_BASE_URL: Viber has no polling, only webhooks. */
export class ViberWebhookUrlMissingError extends Error {
  constructor() {
    super('PUBLIC_WEBHOOK_BASE_URL is not configured: Viber delivers only by webhook, so no bot can be connected');
    this.name = 'ViberWebhookUrlMissingError';
  }
}

export class ViberConnectionNotFoundError extends Error {
  constructor(readonly connectionId: string) {
    super(`Viber connection ${connectionId} does not exist`);
    this.name = 'ViberConnectionNotFoundError';
  }
}
