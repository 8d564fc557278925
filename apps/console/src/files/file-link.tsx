import type { MouseEvent } from 'react';
import { useClient } from 'urql';
import { FileDownloadQuery, type ChatFile } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { formatBytes } from './upload-file';

/** A link handed out this close to its expiry is asked for again rather than followed. */
const EXPIRY_MARGIN_MS = 15_000;

/**
 * A chat file as the timeline shows it: a download link while stored (the files service answers with
 * Content-Disposition: attachment), "being received" or the failure otherwise.
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
      {name}
      {size}
    </a>
  );
}
