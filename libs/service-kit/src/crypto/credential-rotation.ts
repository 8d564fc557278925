import type { Client } from 'pg';
import { CredentialCipher, CredentialDecryptionError } from './credential-cipher';

/**
 * Where a service keeps sealed credentials, declared by the service that owns the table (exported from its
 * package as `<NAME>_CREDENTIAL_COLUMNS`, found by `npm run ops -- rotate-key`). `associatedData` must
 * rebuild exactly what the service's vault passes to encrypt/decrypt for the row, or nothing will open.
 */
export interface CredentialColumnSpec {
  /** Schema-qualified table, e.g. channel_telegram.connections. */
  table: string;
  /** The row's primary key column. */
  idColumn: string;
  /** The column holding CredentialCipher output. */
  cipherColumn: string;
  /** Other columns the associated data is built from. */
  contextColumns: readonly string[];
  associatedData(row: Readonly<Record<string, string>>): string;
}

export interface RotationReport {
  table: string;
  cipherColumn: string;
  /** Rows re-encrypted under the new key. */
  rotated: number;
  /** Rows that already opened with the new key (a repeated run): left as they are. */
  alreadyRotated: number;
}

export class CredentialRotationError extends Error {
  constructor(
    message: string,
    readonly failures: readonly { table: string; id: string; reason: string }[],
  ) {
    super(message);
    this.name = 'CredentialRotationError';
  }
}

const QUALIFIED = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const COLUMN = /^[a-z_][a-z0-9_]*$/;

/**
 * Re-encrypts every sealed credential in `specs` from `oldKey` to `newKey`, in ONE transaction with the rows
 * locked: either every row opens with one of the two keys and all are rewritten, or nothing changes and the
 * error lists each row that opens with neither (wrong old key, tampered value). Rows already under the new
 * key are skipped, so re-running after a success (or after a crash before commit) is safe. `dryRun` checks
 * everything and rolls back.
 */
export async function rotateCredentials(options: {
  client: Client;
  specs: readonly CredentialColumnSpec[];
  oldKey: string;
  newKey: string;
  dryRun?: boolean;
}): Promise<RotationReport[]> {
  const oldCipher = new CredentialCipher(options.oldKey);
  const newCipher = new CredentialCipher(options.newKey);
  if (options.oldKey.trim() === options.newKey.trim()) throw new Error('The new key is the same as the old one');
  for (const spec of options.specs) {
    if (!QUALIFIED.test(spec.table)) throw new Error(`credential table "${spec.table}" must be schema.table in lower case`);
    for (const column of [spec.idColumn, spec.cipherColumn, ...spec.contextColumns]) {
      if (!COLUMN.test(column)) throw new Error(`credential column "${column}" of ${spec.table} must be a plain identifier`);
    }
  }
  const { client } = options;
  await client.query('BEGIN');
  try {
    const reports: RotationReport[] = [];
    const failures: { table: string; id: string; reason: string }[] = [];
    const updates: { spec: CredentialColumnSpec; id: string; sealed: string }[] = [];
    for (const spec of options.specs) {
      const columns = [...new Set([spec.idColumn, spec.cipherColumn, ...spec.contextColumns])].map((c) => `"${c}"::text AS "${c}"`).join(', ');
      const { rows } = await client.query<Record<string, string>>(`SELECT ${columns} FROM ${spec.table} ORDER BY 1 FOR UPDATE`);
      const report: RotationReport = { table: spec.table, cipherColumn: spec.cipherColumn, rotated: 0, alreadyRotated: 0 };
      for (const row of rows) {
        const id = row[spec.idColumn] ?? '';
        const aad = spec.associatedData(row);
        const sealed = row[spec.cipherColumn] ?? '';
        try {
          const plaintext = oldCipher.decrypt(sealed, aad);
          updates.push({ spec, id, sealed: newCipher.encrypt(plaintext, aad) });
          report.rotated++;
        } catch (error) {
          if (!(error instanceof CredentialDecryptionError)) throw error;
          if (opens(newCipher, sealed, aad)) report.alreadyRotated++;
          else failures.push({ table: spec.table, id, reason: error.message });
        }
      }
      reports.push(report);
    }
    if (failures.length > 0) {
      throw new CredentialRotationError(
        `${failures.length} credential(s) open with neither key; nothing was changed:\n${failures.map((f) => `  ${f.table} ${f.id}: ${f.reason}`).join('\n')}`,
        failures,
      );
    }
    for (const { spec, id, sealed } of updates) {
      await client.query(`UPDATE ${spec.table} SET "${spec.cipherColumn}" = $1 WHERE "${spec.idColumn}"::text = $2`, [sealed, id]);
    }
    await client.query(options.dryRun ? 'ROLLBACK' : 'COMMIT');
    return reports;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}

function opens(cipher: CredentialCipher, sealed: string, aad: string): boolean {
  try {
    cipher.decrypt(sealed, aad);
    return true;
  } catch (error) {
    if (error instanceof CredentialDecryptionError) return false;
    throw error;
  }
}
