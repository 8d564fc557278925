import type { CredentialCipher } from '@switchboard/service-kit';
import { createHash } from 'node:crypto';

export interface MetaCredentials {
  accessToken: string;
  appSecret: string;
}

/** Seals Page tokens and app secrets for storage and opens them for API calls and signature checks. */
export class MetaCredentialsVault {
  constructor(private readonly cipher: CredentialCipher) {}

  seal(credentials: MetaCredentials, pageId: string): { accessTokenCiphertext: string; appSecretCiphertext: string } {
    return {
      accessTokenCiphertext: this.cipher.encrypt(credentials.accessToken, credentialContext('token', pageId)),
      appSecretCiphertext: this.cipher.encrypt(credentials.appSecret, credentialContext('app-secret', pageId)),
    };
  }

  open(connection: { pageId: string; accessTokenCiphertext: string; appSecretCiphertext: string }): MetaCredentials {
    return {
      accessToken: this.cipher.decrypt(connection.accessTokenCiphertext, credentialContext('token', connection.pageId)),
      appSecret: this.cipher.decrypt(connection.appSecretCiphertext, credentialContext('app-secret', connection.pageId)),
    };
  }
}

/** Binds a stored secret to its Page and purpose: a ciphertext copied onto another row or column does not decrypt. */
export function credentialContext(kind: 'token' | 'app-secret', pageId: string): string {
  return `meta-${kind}:${pageId}`;
}

/** The verify token is only compared with what Meta sends, so a hash is all that is stored. */
export function verifyTokenHash(verifyToken: string): string {
  return createHash('sha256').update(verifyToken, 'utf8').digest('hex');
}
