import type { CredentialColumnSpec } from '@switchboard/service-kit';
import { CHANNEL_WHATSAPP_SCHEMA } from '../channel-whatsapp.config';
import { credentialContext } from './whatsapp-credentials.vault';

/** Sealed access tokens and app secrets, for key rotation (`npm run ops -- rotate-key channel-whatsapp`). */
export const CHANNEL_WHATSAPP_CREDENTIAL_COLUMNS: readonly CredentialColumnSpec[] = [
  {
    table: `${CHANNEL_WHATSAPP_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'access_token_ciphertext',
    contextColumns: ['phone_number_id'],
    associatedData: (row) => credentialContext('token', String(row['phone_number_id'])),
  },
  {
    table: `${CHANNEL_WHATSAPP_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'app_secret_ciphertext',
    contextColumns: ['phone_number_id'],
    associatedData: (row) => credentialContext('app-secret', String(row['phone_number_id'])),
  },
];
