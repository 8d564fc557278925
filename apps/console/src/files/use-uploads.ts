import { useCallback, useReducer, useRef } from 'react';
import { useClient } from 'urql';
import { CreateFileUploadMutation } from '../graphql/operations';
import { useI18n } from '../i18n/i18n-context';
import { UploadRefusedError, formatBytes, tooLargeForUpload, uploadFile } from './upload-file';
import { uploadsReducer } from './uploads';

/**
 * Uploads files to a chat: a link from createFileUpload per file, then the bytes straight to the files
 * service with progress. `onStored` runs after each stored file (the chat's file list refetches).
 */
export function useUploads(chatId: string, onStored: () => void) {
  const { t, locale } = useI18n();
  const client = useClient();
  const [uploads, dispatch] = useReducer(uploadsReducer, []);
  const nextKey = useRef(1);

  const uploadOne = useCallback(
    async (file: File) => {
      const key = nextKey.current++;
      dispatch({ type: 'started', key, name: file.name, sizeBytes: file.size });
      const link = await client.mutation(CreateFileUploadMutation, { chatId }).toPromise();
      const target = link.data?.createFileUpload;
      if (!target) {
        const message = link.error?.graphQLErrors[0]?.message ?? link.error?.message ?? '?';
        dispatch({ type: 'failed', key, message });
        return;
      }
      if (tooLargeForUpload(file.size, target.maxBytes)) {
        dispatch({ type: 'refused', key, message: t('upload.tooLarge', { max: formatBytes(target.maxBytes, locale) }) });
        return;
      }
      try {
        const stored = await uploadFile(target.uploadUrl, file, (progress) => dispatch({ type: 'progress', key, progress }));
        dispatch({ type: 'stored', key, fileId: stored.id });
        onStored();
      } catch (error) {
        if (error instanceof UploadRefusedError) dispatch({ type: 'refused', key, message: error.message });
        else dispatch({ type: 'failed', key, message: error instanceof Error ? error.message : String(error) });
      }
    },
    [client, chatId, onStored, t, locale],
  );

  const add = useCallback((files: readonly File[]) => files.forEach((file) => void uploadOne(file)), [uploadOne]);
  const dismiss = useCallback((key: number) => dispatch({ type: 'dismissed', key }), []);
  return { uploads, add, dismiss };
}
