import type { CredentialColumnSpec } from '@switchboard/service-kit';
import { CHANNEL_VIBER_SCHEMA } from './channel-viber.config';
import { tokenContext } from './viber-token.vault';

/** Sealed bot auth tokens, for key rotation (`npm run ops -- rotate-key channel-viber`). */
export const CHANNEL_VIBER_CREDENTIAL_COLUMNS: readonly CredentialColumnSpec[] = [
  {
    table: `${CHANNEL_VIBER_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'token_ciphertext',
    contextColumns: ['account_id'],
    associatedData: (row) => tokenContext(String(row['account_id'])),
  },
];
