import type { TelegramBotApiDouble } from '@switchboard/testing';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

/** The webhook URL and secret channel-telegram registered for a bot, read from its last setWebhook call. */
export function webhookEndpoint(telegram: TelegramBotApiDouble, botToken: string): WebhookEndpoint {
  const calls = telegram.requestsFor(botToken, 'setWebhook').filter((call) => call.ok);
  const params = calls[calls.length - 1]?.params;
  if (typeof params?.url !== 'string' || typeof params.secret_token !== 'string') {
    throw new Error('the bot has no webhook with a secret token: was it connected in webhook mode?');
  }
  return { url: params.url, secret: params.secret_token };
}

/** POSTs a body to the webhook as Telegram does (a string is sent as is); resolves with the HTTP status. */
export async function postToWebhook(endpoint: WebhookEndpoint, body: unknown, secret: string | undefined = endpoint.secret): Promise<number> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret === undefined ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}
