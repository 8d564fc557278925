import type { CredentialCipher } from '@switchboard/service-kit';

/** Seals bot auth tokens for storage and opens them for API calls and signature checks. */
export class ViberTokenVault {
  constructor(private readonly cipher: CredentialCipher) {}

  seal(token: string, accountId: string): string {
    return this.cipher.encrypt(token, tokenContext(accountId));
  }

  open(connection: { tokenCiphertext: string; accountId: string }): string {
    return this.cipher.decrypt(connection.tokenCiphertext, tokenContext(connection.accountId));
  }
}

/** Binds a stored token to its bot account: a ciphertext copied onto another row does not decrypt. Key rotation rebuilds it. */
export function tokenContext(accountId: string): string {
  return `viber-bot:${accountId}`;
}
