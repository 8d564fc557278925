/**
 * C10: an operator's file goes straight to the files service by the link createFileUpload returned
 * (decision 0025): the raw bytes as the body, the name in the query. XMLHttpRequest rather than fetch,
 * because only it reports upload progress.
 */

/** What the files service answers for a stored upload (its File view; only what the page uses). */
export interface UploadedFile {
  id: string;
  fileName: string | null;
}

/** The files service refused the file (too large, a program, a disguised type...) or the link. */
export class UploadRefusedError extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'UploadRefusedError';
  }
}

/** The upload link with the file's name added (the link already carries its token). */
export function uploadTarget(uploadUrl: string, name: string): string {
  const url = new URL(uploadUrl);
  url.searchParams.set('name', name);
  return url.toString();
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The stored file from a 201, or the service's own reason and message from `{ error: { reason, message } }`;
 * an answer in neither shape is reported with its status, never taken for success.
 */
export function readUploadAnswer(status: number, body: string): UploadedFile {
  const json = parseJson(body) as { file?: { id?: unknown; fileName?: unknown }; error?: { reason?: unknown; message?: unknown } } | undefined;
  if (status === 201 && typeof json?.file?.id === 'string') {
    return { id: json.file.id, fileName: typeof json.file.fileName === 'string' ? json.file.fileName : null };
  }
  const error = json?.error;
  if (error && typeof error.message === 'string') {
    throw new UploadRefusedError(error.message, typeof error.reason === 'string' ? error.reason : 'UNKNOWN', status);
  }
  throw new UploadRefusedError(`The files service answered HTTP ${status}`, 'UNEXPECTED_ANSWER', status);
}

/** The file's size against the service's limit, checked before a byte is sent. */
export function tooLargeForUpload(sizeBytes: number, maxBytes: number): boolean {
  return sizeBytes > maxBytes;
}

/** POSTs the file; `onProgress` gets the sent fraction (0..1) as the browser reports it. */
export function uploadFile(uploadUrl: string, file: File, onProgress: (fraction: number) => void): Promise<UploadedFile> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', uploadTarget(uploadUrl, file.name));
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      try {
        resolve(readUploadAnswer(request.status, request.responseText));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    // The browser tells nothing more about a network or CORS failure than that it happened.
    request.onerror = () => reject(new Error('network error'));
    request.onabort = () => reject(new Error('aborted'));
    request.send(file);
  });
}

/** "1,5 МБ" / "1.5 MB": sizes as people read them, in the page's language. */
export function formatBytes(bytes: number, locale: string): string {
  const units = locale === 'uk' ? ['Б', 'КБ', 'МБ', 'ГБ'] : ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}
