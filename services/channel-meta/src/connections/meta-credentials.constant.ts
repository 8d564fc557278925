import type { CredentialColumnSpec } from '@switchboard/service-kit';
import { CHANNEL_META_SCHEMA } from '../channel-meta.config';
import { credentialContext } from './meta-credentials.vault';

/** Sealed Page access tokens and app secrets, for key rotation (`npm run ops -- rotate-key channel-meta`). */
export const CHANNEL_META_CREDENTIAL_COLUMNS: readonly CredentialColumnSpec[] = [
  {
    table: `${CHANNEL_META_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'access_token_ciphertext',
    contextColumns: ['page_id'],
    associatedData: (row) => credentialContext('token', String(row['page_id'])),
  },
  {
    table: `${CHANNEL_META_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'app_secret_ciphertext',
    contextColumns: ['page_id'],
    associatedData: (row) => credentialContext('app-secret', String(row['page_id'])),
  },
];
