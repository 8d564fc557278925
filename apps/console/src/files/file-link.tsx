import type { MouseEvent } from 'react';
import { useClient } from 'urql';
import { FileDownloadQuery, type ChatFile } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatBytes } from './upload-file';

/** A link handed out this close to its expiry is asked for again rather than followed. */
const EXPIRY_MARGIN_MS = 15_000;

/**
 * The box a thumbnail is shown in (CSS pixels). The API gives no image dimensions, so the box is fixed and
 * reserved before the image loads: the timeline, scrolled to its end, must not jump when previews arrive.
 */
export const THUMBNAIL_BOX_PX = 160;

/**
 * A chat file as the timeline shows it: a download link while stored (the files service answers with
 * Content-Disposition: attachment), "being received" or the failure otherwise. A stored image shows as its
 * thumbnail (the files service's WebP preview), which is the link to the full file.
 */
export function FileLink({ file, label }: { file: ChatFile; label?: string }) {
  const { t, locale } = useI18n();
  const client = useClient();
  const name = label ?? file.fileName ?? file.kind;
  const size = file.sizeBytes !== null ? ` (${formatBytes(file.sizeBytes, locale)})` : '';
  if (file.state === 'PENDING') return <span className="file-link file-link--pending">{t('files.pending', { name })}</span>;
  if (file.state === 'FAILED' || !file.downloadUrl) {
    return <span className="file-link file-link--failed">{t('files.failed', { name, reason: file.failure ?? '?' })}</span>;
  }

  // Links live minutes (decision 0025); the page may have been open longer, so a stale one is renewed.
  const onClick = async (event: MouseEvent<HTMLAnchorElement>) => {
    const expiresAt = file.downloadUrlExpiresAt ? Date.parse(file.downloadUrlExpiresAt) : 0;
    if (expiresAt - EXPIRY_MARGIN_MS > Date.now()) return;
    event.preventDefault();
    const fresh = await client.query(FileDownloadQuery, { id: file.id }, { requestPolicy: 'network-only' }).toPromise();
    const url = fresh.data?.file?.downloadUrl;
    if (url) window.location.assign(url);
    else window.alert(t('files.failed', { name, reason: fresh.error?.message ?? '?' }));
  };
  return (
    <a className="file-link" href={file.downloadUrl} download={file.fileName ?? undefined} onClick={(event) => void onClick(event)} title={t('files.download', { name })}>
      {file.thumbnailUrl && (
        <img
          className="file-link__thumbnail"
          src={file.thumbnailUrl}
          alt={name}
          width={THUMBNAIL_BOX_PX}
          height={THUMBNAIL_BOX_PX}
          loading="lazy"
          decoding="async"
        />
      )}
      <span className="file-link__name">
        {name}
        {size}
      </span>
    </a>
  );
}
