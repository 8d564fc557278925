import type { ChatCrm } from '../graphql/operations';

export interface ProfileLink {
  key: string;
  /** "telegram: @oksana_k", or the link itself when no handle is known. */
  text: string;
  /** Only http(s) links are followed: a profile URL comes from CRM data that anyone may have typed. */
  href: string | null;
}

function safeHref(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : null;
  } catch {
    return null;
  }
}

/** The social profiles of a CRM record as the card lists them, without duplicates. */
export function profileLinks(profiles: ChatCrm['socialProfiles']): ProfileLink[] {
  const seen = new Set<string>();
  const links: ProfileLink[] = [];
  for (const profile of profiles) {
    const text = profile.handle ? `${profile.kind}: @${profile.handle}` : (profile.url ?? profile.kind);
    const href = safeHref(profile.url);
    const key = `${profile.kind}|${profile.handle ?? ''}|${href ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ key, text, href });
  }
  return links;
}
