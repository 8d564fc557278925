import { createHmac, timingSafeEqual } from 'node:crypto';
import { ROLES } from '@switchboard/service-kit';
import { z } from 'zod';

/**
 * Signed, expiring tokens carried in upload and download links. A link is a bearer credential: whoever
 * has it may use it until it expires, so links are short-lived and name exactly one chat (upload) or one
 * file (download). Each purpose signs with its own key derived from JWT_SECRET, so a download token is
 * never accepted as an upload token and neither as an access token.
 */
export const LINK_PURPOSES = ['upload', 'download'] as const;
export type LinkPurpose = (typeof LINK_PURPOSES)[number];

const claimsSchemas = {
  upload: z.object({ chatId: z.uuid(), employeeId: z.uuid(), role: z.enum(ROLES), exp: z.number().int() }),
  download: z.object({ fileId: z.uuid(), exp: z.number().int() }),
} as const;
export type LinkClaims<P extends LinkPurpose> = z.infer<(typeof claimsSchemas)[P]>;

export class LinkTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkTokenError';
  }
}

export class LinkTokens {
  private readonly keys: Record<LinkPurpose, Buffer>;

  constructor(secret: string) {
    this.keys = {
      upload: createHmac('sha256', secret).update('switchboard.files.upload-link').digest(),
      download: createHmac('sha256', secret).update('switchboard.files.download-link').digest(),
    };
  }

  sign<P extends LinkPurpose>(purpose: P, claims: Omit<LinkClaims<P>, 'exp'>, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
    const exp = Math.floor(now / 1000) + ttlSeconds;
    const payload = Buffer.from(JSON.stringify({ ...claims, exp })).toString('base64url');
    return { token: `${payload}.${this.mac(purpose, payload)}`, expiresAt: new Date(exp * 1000) };
  }

  verify<P extends LinkPurpose>(purpose: P, token: string, now = Date.now()): LinkClaims<P> {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) throw new LinkTokenError('The link is malformed');
    const expected = Buffer.from(this.mac(purpose, payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LinkTokenError('The link is not valid');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw new LinkTokenError('The link is malformed');
    }
    const claims = claimsSchemas[purpose].parse(decoded) as LinkClaims<P>;
    if (claims.exp * 1000 <= now) throw new LinkTokenError('The link has expired: ask for a new one');
    return claims;
  }

  private mac(purpose: LinkPurpose, payload: string): string {
    return createHmac('sha256', this.keys[purpose]).update(payload).digest('base64url');
  }
}
