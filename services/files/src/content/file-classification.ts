import { SNIFFED, isForbidden, sniffContent, type SniffedType } from './content-sniffer';

/** Why a file was refused; clients switch on these (GraphQL extensions.reason, HTTP body `reason`). */
export const FILE_REFUSALS = {
  tooLarge: 'FILE_TOO_LARGE',
  empty: 'FILE_EMPTY',
  forbiddenType: 'FILE_TYPE_FORBIDDEN',
  unknownType: 'FILE_TYPE_UNKNOWN',
  /** The name promises one type and the content is another (e.g. "photo.jpg" holding a PDF). */
  typeMismatch: 'FILE_TYPE_MISMATCH',
  badName: 'FILE_NAME_INVALID',
} as const;
export type FileRefusalReason = (typeof FILE_REFUSALS)[keyof typeof FILE_REFUSALS];

export class FileRefusedError extends Error {
  constructor(
    readonly reason: FileRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'FileRefusedError';
  }
}

const MAX_NAME_LENGTH = 255;

/**
 * A file name safe to store and to show: the last path segment, without control characters. The name
 * is only a label; it never becomes a storage path.
 */
export function cleanFileName(raw: string): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? '';
  // Control characters would break headers (Content-Disposition) and logs.
  const cleaned = lastSegment.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') throw new FileRefusedError(FILE_REFUSALS.badName, 'The file needs a name (e.g. invoice.pdf)');
  if (cleaned.length > MAX_NAME_LENGTH) throw new FileRefusedError(FILE_REFUSALS.badName, `The file name may be at most ${MAX_NAME_LENGTH} characters`);
  return cleaned;
}

export function extensionOf(fileName: string): string | undefined {
  const match = /\.([A-Za-z0-9]{1,10})$/.exec(fileName);
  return match?.[1]?.toLowerCase();
}

/**
 * The type of an uploaded file from its first bytes, checked against its name: executables are refused
 * whatever their name, unknown binary content is refused, and a name whose extension belongs to another
 * type than the content is refused as disguised. A name without an extension is accepted as it is.
 */
export function classifyUpload(params: { fileName: string; head: Buffer }): SniffedType {
  const sniffed = sniffContent(params.head);
  if (isForbidden(sniffed)) throw new FileRefusedError(FILE_REFUSALS.forbiddenType, `"${params.fileName}" is ${sniffed.description}: such files cannot be sent`);
  if (!sniffed) {
    throw new FileRefusedError(FILE_REFUSALS.unknownType, `The content of "${params.fileName}" is not a known image, video, audio or document type`);
  }
  const extension = extensionOf(params.fileName);
  if (extension !== undefined && !sniffed.extensions.includes(extension) && isKnownExtension(extension)) {
    throw new FileRefusedError(
      FILE_REFUSALS.typeMismatch,
      `"${params.fileName}" is named as .${extension} but its content is ${sniffed.mimeType}: rename it to .${sniffed.extensions[0]} if that is what it is`,
    );
  }
  return sniffed;
}

/**
 * Channel media are stored as the platform sent them: the sniffed type wins over the platform's label
 * when known (a platform may call any file application/octet-stream), forbidden content is still refused.
 */
export function classifyChannelMedia(params: { head: Buffer; declaredMimeType: string | undefined }): { mimeType: string; kind: SniffedType['kind'] | undefined } {
  const sniffed = sniffContent(params.head);
  if (isForbidden(sniffed)) throw new FileRefusedError(FILE_REFUSALS.forbiddenType, `The customer's file is ${sniffed.description}; it is not stored`);
  if (sniffed) return { mimeType: sniffed.mimeType, kind: sniffed.kind };
  return { mimeType: params.declaredMimeType ?? 'application/octet-stream', kind: undefined };
}

// Extensions that name a type: an unknown extension (".backup") says nothing and is not a mismatch.
const EXECUTABLE_EXTENSIONS = ['exe', 'dll', 'com', 'bat', 'cmd', 'msi', 'scr', 'sh', 'ps1', 'app', 'apk', 'jar', 'js', 'vbs'];
const KNOWN_EXTENSIONS = new Set([...EXECUTABLE_EXTENSIONS, ...Object.values(SNIFFED).flatMap((type) => type.extensions)]);

function isKnownExtension(extension: string): boolean {
  return KNOWN_EXTENSIONS.has(extension);
}
