import type { CredentialColumnSpec } from '@switchboard/service-kit';
import { CHANNEL_TELEGRAM_SCHEMA } from './channel-telegram.config';
import { tokenContext } from './telegram-token.vault';

/** Sealed bot tokens, for key rotation (`npm run ops -- rotate-key channel-telegram`). */
export const CHANNEL_TELEGRAM_CREDENTIAL_COLUMNS: readonly CredentialColumnSpec[] = [
  {
    table: `${CHANNEL_TELEGRAM_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'token_ciphertext',
    contextColumns: ['bot_id'],
    associatedData: (row) => tokenContext(String(row['bot_id'])),
  },
];
