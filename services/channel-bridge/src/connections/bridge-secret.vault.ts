import type { CredentialCipher } from '@switchboard/service-kit';
import { randomBytes } from 'node:crypto';

/** Prefix of every bridge secret, so a leaked one is recognisable in logs and scanners. */
const SECRET_PREFIX = 'sbb_';

/** Creates, seals and opens bridge secrets; the only code that sees them in clear besides the first answer. */
export class BridgeSecretVault {
  constructor(private readonly cipher: CredentialCipher) {}

  /** 32 random bytes, base64url: safe in a shell variable and as an openssl -hmac key. */
  generate(): string {
    return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
  }

  seal(secret: string, connectionId: string): string {
    return this.cipher.encrypt(secret, secretContext(connectionId));
  }

  open(connection: { id: string; secretCiphertext: string }): string {
    return this.cipher.decrypt(connection.secretCiphertext, secretContext(connection.id));
  }
}

/** Binds a stored secret to its connection: a ciphertext copied onto another row does not decrypt. */
export function secretContext(connectionId: string): string {
  return `bridge-connection:${connectionId}`;
}
