import type { CredentialCipher } from '@switchboard/service-kit';

/** Seals bot tokens for storage and opens them for API calls; the only code that sees plaintext tokens at rest. */
export class TelegramTokenVault {
  constructor(private readonly cipher: CredentialCipher) {}

  seal(token: string, botId: string): string {
    return this.cipher.encrypt(token, tokenContext(botId));
  }

  open(connection: { tokenCiphertext: string; botId: string }): string {
    return this.cipher.decrypt(connection.tokenCiphertext, tokenContext(connection.botId));
  }
}

/** Binds a stored token to its bot: a ciphertext copied onto another row does not decrypt. Key rotation rebuilds it. */
export function tokenContext(botId: string): string {
  return `telegram-bot:${botId}`;
}
