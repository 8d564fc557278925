import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
// 96-bit nonces are what GCM is specified for; a random one per secret never repeats in practice.
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Prefix of the stored form, so the format (or the key) can change later without guessing. */
const FORMAT = 'v1';

/** A 32-byte key given as base64 (e.g. `openssl rand -base64 32`); validated at start-up. */
export const credentialsKeySchema = z
  .string()
  .trim()
  .refine((value) => decodeKey(value) !== undefined, { message: `must be ${KEY_BYTES} bytes encoded as base64` });

function decodeKey(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  return key.length === KEY_BYTES ? key : undefined;
}

export class CredentialDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialDecryptionError';
  }
}

/**
 * Encrypts platform credentials (bot tokens, session keys) at rest with AES-256-GCM. `associatedData`
 * binds a ciphertext to its owner (e.g. the bot id): a ciphertext copied onto another row fails to open.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    const key = decodeKey(keyBase64.trim());
    if (!key) throw new Error(`Credential key must be ${KEY_BYTES} bytes encoded as base64`);
    this.key = key;
  }

  encrypt(plaintext: string, associatedData?: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
    if (associatedData !== undefined) cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [FORMAT, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join('.');
  }

  decrypt(sealed: string, associatedData?: string): string {
    const [format, iv, tag, ciphertext] = sealed.split('.');
    if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new CredentialDecryptionError('Stored credential has an unknown format');
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
      if (associatedData !== undefined) decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      // GCM reports a wrong key, a tampered value and a wrong owner alike; say which checks failed.
      throw new CredentialDecryptionError(
        `Stored credential could not be decrypted (wrong CREDENTIALS_KEY or tampered value): ${(error as Error).message}`,
      );
    }
  }
}
