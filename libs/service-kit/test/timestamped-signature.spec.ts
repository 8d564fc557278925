import { createHmac } from 'node:crypto';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signTimestampedRequest, verifyTimestampedSignature } from '../src/webhooks/timestamped-signature';

const secret = 'sbb_test-secret';
const body = Buffer.from('{"messageId":"m-1","text":"Привіт"}', 'utf8');
const now = new Date('2026-12-01T12:00:00Z');
const ts = String(now.getTime() / 1000);

/** The documented formula, computed independently of the helper. */
function documented(timestamp: string, raw: Buffer, key = secret): string {
  return `v1=${createHmac('sha256', key).update(`${timestamp}.`).update(raw).digest('hex')}`;
}

function check(headers: { timestamp?: string | undefined; signature?: string | undefined }, at = now, raw = body) {
  return verifyTimestampedSignature({ secret, body: raw, timestampHeader: headers.timestamp, signatureHeader: headers.signature, toleranceSeconds: 300, now: at });
}

describe('timestamped HMAC signatures', () => {
  it('signs "<timestamp>.<raw body>" with HMAC-SHA256 as documented', () => {
    const headers = signTimestampedRequest({ secret, body, now });
    expect(headers[TIMESTAMP_HEADER]).toBe(ts);
    expect(headers[SIGNATURE_HEADER]).toBe(documented(ts, body));
  });

  it('accepts a good signature, also among several and within the tolerance', () => {
    expect(check({ timestamp: ts, signature: documented(ts, body) })).toEqual({ ok: true });
    expect(check({ timestamp: ts, signature: `${documented(ts, body, 'old-secret')}, ${documented(ts, body)}` })).toEqual({ ok: true });
    expect(check({ timestamp: ts, signature: documented(ts, body).toUpperCase().replace('V1=', 'v1=') })).toEqual({ ok: true });
    expect(check({ timestamp: ts, signature: documented(ts, body) }, new Date(now.getTime() + 299_000))).toEqual({ ok: true });
  });

  it.each([
    ['no headers', {}, 'missing_signature'],
    ['no signature', { timestamp: ts }, 'missing_signature'],
    ['a timestamp in milliseconds-with-dot', { timestamp: '1.5', signature: documented(ts, body) }, 'malformed_signature'],
    ['a signature without v1=', { timestamp: ts, signature: documented(ts, body).slice(3) }, 'malformed_signature'],
    ['a short signature', { timestamp: ts, signature: 'v1=abcd' }, 'malformed_signature'],
    ['another secret', { timestamp: ts, signature: documented(ts, body, 'wrong') }, 'bad_signature'],
    ['a signature of another timestamp', { timestamp: ts, signature: documented(String(Number(ts) - 1), body) }, 'bad_signature'],
  ])('refuses %s', (_name, headers, failure) => {
    expect(check(headers)).toMatchObject({ ok: false, failure });
  });

  it('refuses a changed body and a replay outside the window', () => {
    const signature = documented(ts, body);
    expect(check({ timestamp: ts, signature }, now, Buffer.from('{"messageId":"m-1","text":"Привіт" }'))).toMatchObject({ failure: 'bad_signature' });
    expect(check({ timestamp: ts, signature }, new Date(now.getTime() + 301_000))).toMatchObject({ failure: 'stale_timestamp' });
    expect(check({ timestamp: ts, signature }, new Date(now.getTime() - 301_000))).toMatchObject({ failure: 'stale_timestamp' });
  });
});
