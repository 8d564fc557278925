import { z } from 'zod';

// The parts of the Bot API object model (https://core.telegram.org/bots/api#available-types) this
// connector reads. Loose objects: Telegram adds fields all the time and unknown ones must pass through
// (they are kept in `raw` and in unrecognised payloads), while the fields we rely on are checked.

const int = z.number().int();
const fileId = z.string().min(1);
const optionalSize = int.nonnegative().optional();

export const tgUserSchema = z.looseObject({
  id: int,
  is_bot: z.boolean().optional(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
export type TgUser = z.infer<typeof tgUserSchema>;

export const tgChatSchema = z.looseObject({
  id: int,
  type: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
export type TgChat = z.infer<typeof tgChatSchema>;

export const tgPhotoSizeSchema = z.looseObject({ file_id: fileId, width: int, height: int, file_size: optionalSize });

const fileFields = { file_id: fileId, file_size: optionalSize, mime_type: z.string().optional(), file_name: z.string().optional() };

export const tgMediaSchemas = {
  document: z.looseObject(fileFields),
  voice: z.looseObject({ ...fileFields, duration: z.number().nonnegative() }),
  audio: z.looseObject({ ...fileFields, duration: z.number().nonnegative(), title: z.string().optional(), performer: z.string().optional() }),
  video: z.looseObject({ ...fileFields, width: int, height: int, duration: z.number().nonnegative() }),
  video_note: z.looseObject({ file_id: fileId, length: int, duration: z.number().nonnegative(), file_size: optionalSize }),
  sticker: z.looseObject({
    file_id: fileId,
    width: int,
    height: int,
    is_animated: z.boolean().optional(),
    is_video: z.boolean().optional(),
    emoji: z.string().optional(),
    file_size: optionalSize,
  }),
  animation: z.looseObject({ ...fileFields, width: int, height: int, duration: z.number().nonnegative() }),
};

export const tgLocationSchema = z.looseObject({ latitude: z.number(), longitude: z.number() });

export const tgMessageSchema = z.looseObject({
  message_id: int,
  from: tgUserSchema.optional(),
  chat: tgChatSchema,
  date: int,
  edit_date: int.optional(),
  media_group_id: z.string().optional(),
  business_connection_id: z.string().optional(),
  reply_to_message: z.looseObject({ message_id: int }).optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  photo: z.array(tgPhotoSizeSchema).optional(),
  document: tgMediaSchemas.document.optional(),
  voice: tgMediaSchemas.voice.optional(),
  audio: tgMediaSchemas.audio.optional(),
  video: tgMediaSchemas.video.optional(),
  video_note: tgMediaSchemas.video_note.optional(),
  sticker: tgMediaSchemas.sticker.optional(),
  animation: tgMediaSchemas.animation.optional(),
  location: tgLocationSchema.optional(),
  venue: z.looseObject({ location: tgLocationSchema, title: z.string(), address: z.string() }).optional(),
  contact: z
    .looseObject({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional(), user_id: int.optional() })
    .optional(),
});
export type TgMessage = z.infer<typeof tgMessageSchema>;

export const tgReactionTypeSchema = z.looseObject({
  type: z.string(),
  emoji: z.string().optional(),
  custom_emoji_id: z.string().optional(),
});

export const tgMessageReactionSchema = z.looseObject({
  chat: tgChatSchema,
  message_id: int,
  user: tgUserSchema.optional(),
  date: int,
  old_reaction: z.array(tgReactionTypeSchema),
  new_reaction: z.array(tgReactionTypeSchema),
});
export type TgMessageReaction = z.infer<typeof tgMessageReactionSchema>;

/** What every update is: an object with an integer update_id and one more field naming its kind. */
export const tgUpdateSchema = z.looseObject({ update_id: int });
export type TgUpdate = z.infer<typeof tgUpdateSchema>;

/** Update kinds the connector asks for (allowed_updates) and turns into inbound events. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'message_reaction', 'business_message'] as const;
