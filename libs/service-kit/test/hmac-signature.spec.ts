import { createHmac } from 'node:crypto';
import { signHmac, verifyHmacSignature, type HmacSignatureScheme } from '../src/webhooks/hmac-signature';

const body = Buffer.from('{"event":"message","message_token":5491238571235484736}', 'utf8');
const secret = '4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51f';
const viber: HmacSignatureScheme = { algorithm: 'sha256', encoding: 'hex' };
const meta: HmacSignatureScheme = { algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };
/** The documented formula, computed independently of the helper. */
const documented = createHmac('sha256', secret).update(body).digest('hex');

function check(signature: string | undefined, scheme = viber, raw = body, key = secret): boolean {
  return verifyHmacSignature({ rawBody: raw, secret: key, signature, scheme });
}

describe('HMAC signatures on raw bodies', () => {
  it('signs as the platforms document it (bare hex, or with a prefix)', () => {
    expect(signHmac(body, secret, viber)).toBe(documented);
    expect(signHmac(body, secret, meta)).toBe(`sha256=${documented}`);
    expect(signHmac(body, secret, { algorithm: 'sha256', encoding: 'base64' })).toBe(Buffer.from(documented, 'hex').toString('base64'));
  });

  it('accepts the right signature, in either hex case', () => {
    expect(check(documented)).toBe(true);
    expect(check(documented.toUpperCase())).toBe(true);
    expect(check(`sha256=${documented}`, meta)).toBe(true);
  });

  it('rejects another key, another body, a missing header, a wrong prefix and malformed digests', () => {
    expect(check(documented, viber, body, 'another-token')).toBe(false);
    expect(check(documented, viber, Buffer.from(body.toString('utf8').replace('736', '700')))).toBe(false);
    expect(check(undefined)).toBe(false);
    expect(check(documented, meta)).toBe(false);
    expect(check(`sha1=${documented}`, meta)).toBe(false);
    expect(check(documented.slice(0, 63))).toBe(false);
    expect(check(`${documented.slice(0, 62)}zz`)).toBe(false);
    expect(check('')).toBe(false);
  });
});
