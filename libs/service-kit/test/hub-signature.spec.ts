import { createHmac } from 'node:crypto';
import { hubSignature, matchHubSignature, verifyHubSignature } from '../src';

describe('X-Hub-Signature-256', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const secret = 'app-secret-1';
  const expectedHex = createHmac('sha256', secret).update(body).digest('hex');

  it('is sha256= and the hex HMAC of the raw bytes', () => {
    expect(hubSignature(body, secret)).toBe(`sha256=${expectedHex}`);
  });

  it('accepts the right signature, in either hex case', () => {
    expect(verifyHubSignature(body, `sha256=${expectedHex}`, secret)).toBe(true);
    expect(verifyHubSignature(body, `sha256=${expectedHex.toUpperCase()}`, secret)).toBe(true);
  });

  it('rejects other secrets, changed bytes, missing prefix, malformed and absent headers', () => {
    expect(verifyHubSignature(body, hubSignature(body, 'other'), secret)).toBe(false);
    expect(verifyHubSignature(Buffer.from(`${body.toString()} `), `sha256=${expectedHex}`, secret)).toBe(false);
    expect(verifyHubSignature(body, expectedHex, secret)).toBe(false);
    expect(verifyHubSignature(body, 'sha256=zz', secret)).toBe(false);
    expect(verifyHubSignature(body, undefined, secret)).toBe(false);
  });

  it('finds which of several app secrets signed the body', () => {
    expect(matchHubSignature(body, hubSignature(body, 'b'), ['a', 'b', 'c'])).toBe('b');
    expect(matchHubSignature(body, hubSignature(body, 'x'), ['a', 'b'])).toBeUndefined();
  });
});
