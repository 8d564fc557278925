import { z } from 'zod';
import { connectionRefSchema } from '../channel';

/** The customer as the platform describes them; absent fields are unknown, not empty. */
export const customerProfileSchema = z.object({
  externalId: z.string().min(1),
  displayName: z.string().min(1),
  username: z.string().min(1).optional(),
  phone: z.string().min(1).optional(),
  languageCode: z.string().min(1).optional(),
  profileUrl: z.url().optional(),
});
export type CustomerProfile = z.infer<typeof customerProfileSchema>;

/** Fields every inbound event carries: where it came from and when the platform says it happened. */
export const inboundBaseSchema = z.object({
  connection: connectionRefSchema,
  chatKey: z.string().min(1),
  externalChatId: z.string().min(1),
  /** Platform time, used for ordering (arrival order is not the platform's order). */
  occurredAt: z.iso.datetime({ offset: true }),
});

export const attachmentKindSchema = z.enum([
  'image',
  'video',
  'audio',
  'voice',
  'document',
  'sticker',
  'animation',
  'video_note',
]);
export type AttachmentKind = z.infer<typeof attachmentKindSchema>;

/** Metadata only: the bytes are fetched by the files service with the platform file id. */
export const attachmentSchema = z.object({
  kind: attachmentKindSchema,
  platformFileId: z.string().min(1),
  mimeType: z.string().min(1).optional(),
  fileName: z.string().min(1).optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  durationSeconds: z.number().nonnegative().optional(),
  caption: z.string().optional(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const locationSchema = z.object({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  title: z.string().optional(),
  address: z.string().optional(),
});
export type Location = z.infer<typeof locationSchema>;

export const sharedContactSchema = z.object({
  phone: z.string().min(1),
  firstName: z.string().min(1),
  lastName: z.string().optional(),
  platformUserId: z.string().optional(),
});
export type SharedContact = z.infer<typeof sharedContactSchema>;

/** What a message says. At least one of the parts is present; `placeholder` names a type we cannot show. */
export const messageContentSchema = z
  .object({
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).default([]),
    location: locationSchema.optional(),
    contact: sharedContactSchema.optional(),
    /** A readable stand-in for content the inbox cannot render (e.g. "[poll]"); the raw payload is kept too. */
    placeholder: z.string().optional(),
    raw: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (c) =>
      c.text !== undefined ||
      c.attachments.length > 0 ||
      c.location !== undefined ||
      c.contact !== undefined ||
      c.placeholder !== undefined,
    { message: 'message content is empty: give text, attachments, location, contact or a placeholder' },
  );
export type MessageContent = z.infer<typeof messageContentSchema>;
