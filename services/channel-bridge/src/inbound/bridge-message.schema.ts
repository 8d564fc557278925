import { attachmentKindSchema } from '@switchboard/contracts';
import { z } from 'zod';
import { BRIDGE_MEDIA_URL_MAX_LENGTH } from '../media/bridge-media.limits';

/**
 * The body a partner POSTs for one customer message (docs/bridge.md, "Sending a message"). Strict: an
 * unknown field is an error, so a typo (e.g. "txt") is reported instead of silently dropped.
 */
const attachmentSchema = z.strictObject({
  kind: attachmentKindSchema,
  /**
   * Where Switchboard fetches the file, once, within seconds of accepting the message (the files service keeps
   * a copy); the partner keeps it reachable until then.
   */
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(BRIDGE_MEDIA_URL_MAX_LENGTH, `must be at most ${BRIDGE_MEDIA_URL_MAX_LENGTH} characters`),
  mimeType: z.string().trim().min(1).max(255).optional(),
  fileName: z.string().trim().min(1).max(255).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  durationSeconds: z.number().nonnegative().optional(),
  caption: z.string().max(4096).optional(),
});

const locationSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  title: z.string().max(500).optional(),
  address: z.string().max(1000).optional(),
});

const contactSchema = z.strictObject({
  phone: z.string().trim().min(1).max(64),
  firstName: z.string().trim().min(1).max(200),
  lastName: z.string().max(200).optional(),
});

const messageSchema = z
  .strictObject({
    text: z.string().min(1).max(65536).optional(),
    attachments: z.array(attachmentSchema).max(20).default([]),
    location: locationSchema.optional(),
    contact: contactSchema.optional(),
  })
  .refine((m) => m.text !== undefined || m.attachments.length > 0 || m.location !== undefined || m.contact !== undefined, {
    message: 'give at least one of text, attachments, location, contact',
  });

/** Ids are strings on the wire: a partner's 64-bit ids must never pass through a JSON number. */
const idSchema = z.string().trim().min(1).max(256);

const customerSchema = z.strictObject({
  /** The customer's id at the partner (a phone number for number-based Viber gateways is fine). */
  id: idSchema,
  name: z.string().trim().min(1).max(200),
  phone: z.string().trim().min(1).max(64).optional(),
  username: z.string().trim().min(1).max(200).optional(),
  profileUrl: z.url().optional(),
  languageCode: z.string().trim().min(1).max(35).optional(),
});

export const bridgeMessageSchema = z.strictObject({
  /** The partner's id of this message: with the chat it is the natural key (a repeat is stored once). */
  messageId: idSchema,
  /** The conversation at the partner; defaults to the customer's id (one chat per customer). */
  chatId: idSchema.optional(),
  /** When the customer sent it (ISO-8601 with offset); defaults to the time we received it. */
  sentAt: z.iso.datetime({ offset: true }).optional(),
  customer: customerSchema,
  message: messageSchema,
  /** The partner's id of the message this one answers. */
  replyToMessageId: idSchema.optional(),
});

export type BridgeMessage = z.output<typeof bridgeMessageSchema>;
