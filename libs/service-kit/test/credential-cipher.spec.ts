import { randomBytes } from 'node:crypto';
import { CredentialCipher, CredentialDecryptionError, credentialsKeySchema } from '../src/crypto/credential-cipher';

const key = randomBytes(32).toString('base64');
const token = '123456789:AAH-bot_token-Привіт';

/** Flips one bit of one base64url part of the sealed value (0 = format, 1 = iv, 2 = tag, 3 = ciphertext). */
function tamper(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('CredentialCipher', () => {
  const cipher = new CredentialCipher(key);

  it('round-trips a secret, with or without an owner, and never produces the same ciphertext twice', () => {
    const sealed = cipher.encrypt(token, 'bot-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('AAH');
    expect(cipher.decrypt(sealed, 'bot-1')).toBe(token);
    expect(cipher.encrypt(token, 'bot-1')).not.toBe(sealed);
    expect(cipher.decrypt(cipher.encrypt(''))).toBe('');
    expect(new CredentialCipher(`  ${key}\n`).decrypt(sealed, 'bot-1')).toBe(token);
  });

  it.each([
    ['the iv', 1],
    ['the tag', 2],
    ['the ciphertext', 3],
  ])('detects tampering with %s', (_, part) => {
    const sealed = cipher.encrypt(token, 'bot-1');
    expect(() => cipher.decrypt(tamper(sealed, part), 'bot-1')).toThrow(CredentialDecryptionError);
  });

  it('refuses a ciphertext copied onto another owner', () => {
    const sealed = cipher.encrypt(token, 'bot-1');
    expect(() => cipher.decrypt(sealed, 'bot-2')).toThrow(CredentialDecryptionError);
    expect(() => cipher.decrypt(sealed)).toThrow(CredentialDecryptionError);
  });

  it('fails clearly with the wrong key', () => {
    const sealed = cipher.encrypt(token);
    const other = new CredentialCipher(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(sealed)).toThrow(/wrong CREDENTIALS_KEY or tampered value/);
  });

  it('rejects stored values of an unknown format', () => {
    for (const bad of ['', 'plain-token', 'v2.a.b.c', 'v1.a.b']) {
      expect(() => cipher.decrypt(bad)).toThrow(new CredentialDecryptionError('Stored credential has an unknown format'));
    }
  });

  it('accepts only a 32-byte base64 key', () => {
    for (const bad of ['', 'short', randomBytes(16).toString('base64'), randomBytes(33).toString('base64'), `${key.slice(0, -2)}!!`]) {
      expect(() => new CredentialCipher(bad)).toThrow('Credential key must be 32 bytes encoded as base64');
      expect(credentialsKeySchema.safeParse(bad).success).toBe(false);
    }
    expect(credentialsKeySchema.parse(` ${key} `)).toBe(key);
  });
});
