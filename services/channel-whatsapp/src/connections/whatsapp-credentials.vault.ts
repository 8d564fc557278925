import type { CredentialCipher } from '@switchboard/service-kit';
import { createHash } from 'node:crypto';

export interface WhatsAppCredentials {
  accessToken: string;
  appSecret: string;
}

/** Seals access tokens and app secrets for storage and opens them for API calls and signature checks. */
export class WhatsAppCredentialsVault {
  constructor(private readonly cipher: CredentialCipher) {}

  seal(credentials: WhatsAppCredentials, phoneNumberId: string): { accessTokenCiphertext: string; appSecretCiphertext: string } {
    return {
      accessTokenCiphertext: this.cipher.encrypt(credentials.accessToken, credentialContext('token', phoneNumberId)),
      appSecretCiphertext: this.cipher.encrypt(credentials.appSecret, credentialContext('app-secret', phoneNumberId)),
    };
  }

  open(connection: { phoneNumberId: string; accessTokenCiphertext: string; appSecretCiphertext: string }): WhatsAppCredentials {
    return {
      accessToken: this.cipher.decrypt(connection.accessTokenCiphertext, credentialContext('token', connection.phoneNumberId)),
      appSecret: this.cipher.decrypt(connection.appSecretCiphertext, credentialContext('app-secret', connection.phoneNumberId)),
    };
  }
}

/** Binds a stored secret to its number and purpose: a ciphertext copied onto another row or column does not decrypt. Key rotation rebuilds it. */
export function credentialContext(kind: 'token' | 'app-secret', phoneNumberId: string): string {
  return `whatsapp-${kind}:${phoneNumberId}`;
}

/** The verify token is only compared with what Meta sends, so a hash is all that is stored. */
export function verifyTokenHash(verifyToken: string): string {
  return createHash('sha256').update(verifyToken, 'utf8').digest('hex');
}
