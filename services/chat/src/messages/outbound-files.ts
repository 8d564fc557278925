import { outboundMediaRefusal, type AttachmentKind, type ChannelKind } from '@switchboard/contracts';
import { InternalFileError, InternalFilesClient, internalFileUrl, type InternalFile } from '@switchboard/service-kit';
import { GraphQLError } from 'graphql';

/** extensions.code of a send whose files cannot be attached (besides the MEDIA_* refusals of the channel's limits). */
export const FILE_NOT_ATTACHABLE = 'FILE_NOT_ATTACHABLE';
export const FILES_UNAVAILABLE = 'FILES_UNAVAILABLE';

/** An uploaded file ready to ride on an outbound command (and to be shown on the stored message). */
export interface AttachableFile {
  fileId: string;
  /** The files service's internal address of the file: connectors fetch the bytes or a public link below it. */
  url: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  kind: AttachmentKind;
}

const KINDS: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'voice', 'document', 'sticker', 'animation', 'video_note']);

/**
 * Operators' uploaded files as a send sees them: read from the files service (which owns them) before the send
 * transaction, then checked against the chat and the channel's platform limits (libs/contracts media-limits)
 * inside it, so a file the platform would refuse never becomes a command (decision 0036).
 */
export class OutboundFiles {
  private readonly client: InternalFilesClient;

  constructor(private readonly options: { filesServiceUrl: string | undefined; jwtSecret: string }) {
    this.client = new InternalFilesClient({ jwtSecret: options.jwtSecret, service: 'chat', timeoutMs: 10_000 });
  }

  async load(fileIds: readonly string[]): Promise<InternalFile[]> {
    if (fileIds.length === 0) return [];
    const base = this.options.filesServiceUrl;
    if (!base) throw new GraphQLError('Files cannot be attached: the chat service has no FILES_SERVICE_URL', { extensions: { code: FILES_UNAVAILABLE } });
    return Promise.all(
      fileIds.map(async (fileId) => {
        try {
          return await this.client.describe(internalFileUrl(base, fileId));
        } catch (error) {
          if (error instanceof InternalFileError && error.status === 404) throw notAttachable(`File ${fileId} does not exist`, fileId);
          throw error;
        }
      }),
    );
  }

  /** The files as attachments of a message in `chat`, or the typed refusal. */
  check(chat: { id: string; channel: ChannelKind }, files: readonly InternalFile[]): AttachableFile[] {
    const ready = files.map((file) => {
      // Another chat's file would leak it to this customer; it answers like a missing one.
      if (file.chatId !== chat.id) throw notAttachable(`File ${file.fileId} does not exist`, file.fileId);
      if (file.state !== 'stored' || file.sizeBytes === null || file.mimeType === null) {
        throw notAttachable(`File ${file.fileId} is ${file.state}: only stored files can be sent`, file.fileId);
      }
      return {
        fileId: file.fileId,
        url: internalFileUrl(this.options.filesServiceUrl!, file.fileId),
        fileName: file.fileName ?? `file-${file.fileId}`,
        mimeType: file.mimeType,
        sizeBytes: file.sizeBytes,
        kind: (KINDS.has(file.kind) ? file.kind : 'document') as AttachmentKind,
      };
    });
    const refusal = outboundMediaRefusal(chat.channel, ready);
    if (refusal) throw new GraphQLError(refusal.message, { extensions: { code: refusal.reason } });
    return ready;
  }
}

function notAttachable(message: string, fileId: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: FILE_NOT_ATTACHABLE, fileId } });
}
