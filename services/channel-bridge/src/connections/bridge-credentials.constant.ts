import type { CredentialColumnSpec } from '@switchboard/service-kit';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
import { secretContext } from './bridge-secret.vault';

/** Sealed partner secrets, for key rotation (`npm run ops -- rotate-key channel-bridge`). */
export const CHANNEL_BRIDGE_CREDENTIAL_COLUMNS: readonly CredentialColumnSpec[] = [
  {
    table: `${CHANNEL_BRIDGE_SCHEMA}.connections`,
    idColumn: 'id',
    cipherColumn: 'secret_ciphertext',
    contextColumns: [],
    associatedData: (row) => secretContext(String(row['id'])),
  },
];
