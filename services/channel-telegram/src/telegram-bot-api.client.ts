import { z } from 'zod';
import { tgUpdateSchema, type TgUpdate } from './telegram-update.schema';

/** An error answer of the Bot API ({ ok: false, error_code, description, parameters }). */
export class TelegramApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(`Telegram API error ${errorCode}: ${description}`);
    this.name = 'TelegramApiError';
  }
}

/** The request never got a Bot API answer (connection refused, timeout, not JSON): worth retrying. */
export class TelegramNetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelegramNetworkError';
  }
}

const errorBodySchema = z.object({
  ok: z.literal(false),
  error_code: z.number().int(),
  description: z.string().default('no description'),
  parameters: z.looseObject({ retry_after: z.number().int().nonnegative().optional() }).optional(),
});

const botUserSchema = z.looseObject({ id: z.number().int(), is_bot: z.boolean(), first_name: z.string(), username: z.string().min(1) });
export type TelegramBotUser = z.infer<typeof botUserSchema>;

const fileSchema = z.looseObject({ file_id: z.string(), file_size: z.number().int().nonnegative().optional(), file_path: z.string().min(1).optional() });
export type TelegramFile = z.infer<typeof fileSchema>;

const sentMessageSchema = z.looseObject({ message_id: z.number().int(), date: z.number().int() });
export type TelegramSentMessage = z.infer<typeof sentMessageSchema>;

export interface TelegramBotApiClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

export interface SendCommonParams {
  chatId: string;
  replyToMessageId?: number;
}

/**
 * Typed Bot API calls over global fetch. JSON bodies for every method; the token only ever appears in
 * the request path, never in errors or logs.
 */
export class TelegramBotApiClient {
  constructor(private readonly options: TelegramBotApiClientOptions) {}

  getMe(): Promise<TelegramBotUser> {
    return this.call('getMe', {}, botUserSchema);
  }

  setWebhook(params: { url: string; secretToken: string; allowedUpdates: readonly string[]; maxConnections?: number }): Promise<boolean> {
    return this.call(
      'setWebhook',
      {
        url: params.url,
        secret_token: params.secretToken,
        allowed_updates: params.allowedUpdates,
        ...(params.maxConnections ? { max_connections: params.maxConnections } : {}),
      },
      z.boolean(),
    );
  }

  deleteWebhook(params: { dropPendingUpdates?: boolean } = {}): Promise<boolean> {
    return this.call('deleteWebhook', { drop_pending_updates: params.dropPendingUpdates ?? false }, z.boolean());
  }

  /** Long poll: the HTTP timeout is the poll timeout plus the normal request timeout. */
  getUpdates(
    params: { offset?: number; limit: number; timeoutSeconds: number; allowedUpdates: readonly string[] },
    signal?: AbortSignal,
  ): Promise<TgUpdate[]> {
    return this.call(
      'getUpdates',
      {
        ...(params.offset !== undefined ? { offset: params.offset } : {}),
        limit: params.limit,
        timeout: params.timeoutSeconds,
        allowed_updates: params.allowedUpdates,
      },
      z.array(tgUpdateSchema),
      { signal, timeoutMs: params.timeoutSeconds * 1000 + this.options.timeoutMs },
    );
  }

  sendMessage(params: SendCommonParams & { text: string }): Promise<TelegramSentMessage> {
    return this.call('sendMessage', { chat_id: params.chatId, text: params.text, ...replyParameters(params) }, sentMessageSchema);
  }

  /** The photo's bytes as a multipart upload (up to 10 MB), so Telegram never needs to reach our files. */
  sendPhoto(params: SendCommonParams & { photo: TelegramInputFile; caption?: string }): Promise<TelegramSentMessage> {
    return this.call('sendPhoto', { chat_id: params.chatId, photo: params.photo, ...caption(params.caption), ...replyParameters(params) }, sentMessageSchema);
  }

  /** Any file as a multipart upload (up to 50 MB). */
  sendDocument(params: SendCommonParams & { document: TelegramInputFile; caption?: string }): Promise<TelegramSentMessage> {
    return this.call(
      'sendDocument',
      { chat_id: params.chatId, document: params.document, ...caption(params.caption), ...replyParameters(params) },
      sentMessageSchema,
    );
  }

  /**
   * Shows the bot's activity ("typing...") in the chat for 5 s or until the bot's next message arrives
   * (sendChatAction). Telegram answers true.
   */
  sendChatAction(params: { chatId: string; action: 'typing' }): Promise<boolean> {
    return this.call('sendChatAction', { chat_id: params.chatId, action: params.action }, z.boolean());
  }

  /** Where a received file can be downloaded (file_path, valid >= 1 h); no path when it is over 20 MB. */
  getFile(fileId: string): Promise<TelegramFile> {
    return this.call('getFile', { file_id: fileId }, fileSchema);
  }

  /** The bytes of a file from getFile, as a streaming response (the caller reads or cancels the body). */
  async downloadFile(filePath: string, timeoutMs: number): Promise<Response> {
    const path = filePath.split('/').map(encodeURIComponent).join('/');
    try {
      const response = await fetch(`${this.options.baseUrl}/file/bot${this.options.token}/${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) {
        await response.body?.cancel();
        throw new TelegramApiError(response.status, `file download answered HTTP ${response.status}`);
      }
      return response;
    } catch (error) {
      if (error instanceof TelegramApiError) throw error;
      // The URL holds the bot token: only the cause's message is kept, never the URL.
      throw new TelegramNetworkError(`Telegram file download failed: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
    }
  }

  private async call<T>(
    method: string,
    params: Record<string, unknown>,
    resultSchema: z.ZodType<T>,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
  ): Promise<T> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let response: Response;
    let body: unknown;
    try {
      const uploads = Object.values(params).some((value) => value instanceof TelegramInputFile);
      response = await fetch(`${this.options.baseUrl}/bot${this.options.token}/${method}`, {
        method: 'POST',
        // Files go as multipart/form-data (the only way to upload); fetch sets the boundary itself.
        ...(uploads ? { body: multipartBody(params) } : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) }),
        signal,
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      // A caller's abort is not a network problem: let it through as the AbortError it is.
      if (options.signal?.aborted) throw error;
      const reason = timeout.aborted ? 'timed out' : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      throw new TelegramNetworkError(`Telegram ${method} failed: ${reason}`, { cause: error });
    }
    const failure = errorBodySchema.safeParse(body);
    if (failure.success) {
      throw new TelegramApiError(failure.data.error_code, failure.data.description, failure.data.parameters?.retry_after);
    }
    const success = z.object({ ok: z.literal(true), result: resultSchema }).safeParse(body);
    if (success.success) return success.data.result;
    if (!response.ok) throw new TelegramApiError(response.status, `HTTP ${response.status} without a Bot API answer`);
    throw new TelegramNetworkError(`Telegram ${method} answered with an unexpected body: ${z.prettifyError(success.error)}`);
  }
}

/** A file sent as the bytes themselves (InputFile of the Bot API), with the name and type the customer sees. */
export class TelegramInputFile {
  constructor(
    readonly bytes: Buffer,
    readonly fileName: string,
    readonly mimeType: string,
  ) {}
}

/** Bot API multipart: files as file parts, objects JSON-serialised, everything else as text fields. */
function multipartBody(params: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (value instanceof TelegramInputFile) form.append(name, new Blob([value.bytes], { type: value.mimeType }), value.fileName);
    else form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form;
}

function replyParameters(params: SendCommonParams): Record<string, unknown> {
  if (params.replyToMessageId === undefined) return {};
  // If the quoted message was deleted meanwhile, deliver the reply anyway instead of failing the send.
  return { reply_parameters: { message_id: params.replyToMessageId, allow_sending_without_reply: true } };
}

function caption(text: string | undefined): Record<string, unknown> {
  return text === undefined || text === '' ? {} : { caption: text };
}

/** Creates clients per bot token; one place to set the base URL and timeout. */
export type TelegramApiFactory = (token: string) => TelegramBotApiClient;

export function telegramApiFactory(options: { baseUrl: string; timeoutMs: number }): TelegramApiFactory {
  return (token) => new TelegramBotApiClient({ ...options, token });
}
