import argon2 from 'argon2';

/**
 * argon2id with OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane): strong enough for stored
 * passwords while keeping a login at a few tens of ms on the 2-core machines this runs on.
 */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export class PasswordHasher {
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  verify(hash: string, password: string): Promise<boolean> {
    return argon2.verify(hash, password);
  }

  /**
   * Spends the same work as a real verification, for logins with an unknown email: otherwise the
   * response time tells an attacker which emails have accounts.
   */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= this.hash('dummy password that matches no employee');
    await argon2.verify(await this.dummyHash, password);
  }
}
