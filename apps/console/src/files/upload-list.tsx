import { useI18n } from '../i18n/i18n-context';
import type { Upload } from './uploads';

/** The reply box's uploads: a progress bar while sending, then stored, or the reason it was refused. */
export function UploadList({ uploads, onDismiss }: { uploads: readonly Upload[]; onDismiss(key: number): void }) {
  const { t } = useI18n();
  if (uploads.length === 0) return null;
  return (
    <ul className="upload-list" aria-label={t('reply.files')}>
      {uploads.map((upload) => (
        <li key={upload.key} className={`upload upload--${upload.state}`} data-upload-state={upload.state}>
          {upload.state === 'uploading' && (
            <>
              <span className="upload__name">{upload.name}</span>
              <progress max={1} value={upload.progress} aria-label={t('upload.progress', { name: upload.name, percent: Math.round(upload.progress * 100) })} />
            </>
          )}
          {upload.state === 'stored' && <span role="status">{t('upload.stored', { name: upload.name })}</span>}
          {(upload.state === 'refused' || upload.state === 'failed') && (
            <span role="alert">{t(upload.state === 'refused' ? 'upload.refused' : 'upload.failed', { name: upload.name, message: upload.message ?? '?' })}</span>
          )}
          {upload.state !== 'uploading' && (
            <button type="button" className="button button--link" onClick={() => onDismiss(upload.key)} aria-label={t('upload.dismiss', { name: upload.name })}>
              ✕
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}
