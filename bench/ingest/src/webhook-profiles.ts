import { signedWebhook, type WaNumberRef } from '@switchboard/testing';
import { benchUpdate } from './telegram-updates';
import { benchWhatsAppWebhook } from './whatsapp-webhooks';

export type ProfileName = 'telegram' | 'whatsapp';
export const PROFILE_NAMES: readonly ProfileName[] = ['telegram', 'whatsapp'];

/**
 * How a platform calls the product's webhook, in plain data: it crosses into the load worker thread
 * (workerData cannot carry functions), where webhookProfile() turns it into requests.
 */
export type ProfileSpec =
  | { name: 'telegram'; webhookUrl: string; secretToken: string }
  | { name: 'whatsapp'; webhookUrl: string; appSecret: string; number: WaNumberRef; batch: number };

/** The messages of one phase: ids firstMessageId.. and rotation positions firstSequence.. (see tagged-text.ts). */
export interface PhaseMessages {
  run: string;
  count: number;
  firstMessageId: number;
  firstSequence: number;
  customers: number;
}

export interface WebhookRequest {
  headers: Record<string, string>;
  body: string;
  /** Messages this request carries: the phase's messages in order, request after request. */
  messages: number;
}

export interface WebhookProfile {
  url: URL;
  /** Messages per request; every request but the last carries exactly this many. */
  batch: number;
  requests: number;
  request(index: number): WebhookRequest;
}

export function webhookProfile(spec: ProfileSpec, phase: PhaseMessages): WebhookProfile {
  const batch = spec.name === 'whatsapp' ? spec.batch : 1;
  const messagesIn = (index: number) => Math.min(batch, phase.count - index * batch);
  const requests = Math.ceil(phase.count / batch);
  const url = new URL(spec.webhookUrl);
  switch (spec.name) {
    case 'telegram':
      return {
        url,
        batch,
        requests,
        request: (index) => ({
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': spec.secretToken },
          body: JSON.stringify(benchUpdate(phase.run, phase.firstMessageId + index, phase.firstSequence + index, phase.customers)),
          messages: 1,
        }),
      };
    case 'whatsapp':
      return {
        url,
        batch,
        requests,
        request: (index) => {
          const messages = messagesIn(index);
          const payload = benchWhatsAppWebhook({
            run: phase.run,
            number: spec.number,
            firstMessageId: phase.firstMessageId + index * batch,
            firstSequence: phase.firstSequence + index * batch,
            count: messages,
            customers: phase.customers,
          });
          return { ...signedWebhook(payload, spec.appSecret), messages };
        },
      };
  }
}
