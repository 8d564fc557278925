import type { CredentialCipher } from '@switchboard/service-kit';

/**
 * Seals MTProto sessions for storage. A session string holds the account's auth key: whoever has it is
 * logged in as the account, so it is only ever stored encrypted and bound to its row.
 */
export class SessionVault {
  constructor(private readonly cipher: CredentialCipher) {}

  sealForConnection(session: string, connectionId: string): string {
    return this.cipher.encrypt(session, `telegram-user:${connectionId}`);
  }

  openForConnection(ciphertext: string, connectionId: string): string {
    return this.cipher.decrypt(ciphertext, `telegram-user:${connectionId}`);
  }

  sealForLogin(session: string, loginId: string): string {
    return this.cipher.encrypt(session, `telegram-user-login:${loginId}`);
  }

  openForLogin(ciphertext: string, loginId: string): string {
    return this.cipher.decrypt(ciphertext, `telegram-user-login:${loginId}`);
  }
}
