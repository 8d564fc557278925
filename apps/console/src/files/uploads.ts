/** One file the operator is adding to the chat, from the moment it is picked until it is stored or refused. */
export interface Upload {
  key: number;
  name: string;
  sizeBytes: number;
  /** Sent fraction, 0..1. */
  progress: number;
  state: 'uploading' | 'stored' | 'refused' | 'failed';
  /** Why it was refused or failed, as the files service (or the browser) said it. */
  message?: string;
  fileId?: string;
}

export type UploadAction =
  | { type: 'started'; key: number; name: string; sizeBytes: number }
  | { type: 'progress'; key: number; progress: number }
  | { type: 'stored'; key: number; fileId: string }
  | { type: 'refused' | 'failed'; key: number; message: string }
  | { type: 'dismissed'; key: number };

/**
 * The reply box's uploads. Progress only moves forward (browsers may repeat a progress event after the
 * last byte), and a finished upload keeps its final state whatever late event arrives.
 */
export function uploadsReducer(uploads: readonly Upload[], action: UploadAction): Upload[] {
  if (action.type === 'started') {
    return [...uploads, { key: action.key, name: action.name, sizeBytes: action.sizeBytes, progress: 0, state: 'uploading' }];
  }
  if (action.type === 'dismissed') return uploads.filter((upload) => upload.key !== action.key);
  return uploads.map((upload) => {
    if (upload.key !== action.key || upload.state !== 'uploading') return upload;
    switch (action.type) {
      case 'progress':
        return { ...upload, progress: Math.min(1, Math.max(upload.progress, action.progress)) };
      case 'stored':
        return { ...upload, progress: 1, state: 'stored', fileId: action.fileId };
      case 'refused':
      case 'failed':
        return { ...upload, state: action.type, message: action.message };
    }
  });
}

/** Files from a drop or a paste; a pasted text or a dragged link carries none and stays what it was. */
export function filesOf(transfer: DataTransfer | null): File[] {
  return transfer ? Array.from(transfer.files) : [];
}
