/** The admin pages and their paths: /admin/<page>. Pure, so the routing is unit-tested without a browser. */
export const ADMIN_PAGES = ['connections', 'employees', 'statuses', 'canned-answers', 'audit-log'] as const;
export type AdminPage = (typeof ADMIN_PAGES)[number];

export function adminPath(page: AdminPage): string {
  return `/admin/${page}`;
}

/**
 * What a path asks for: an admin page (/admin alone opens the first), 'unknown' for any other path under
 * /admin (shown as not found, never as the inbox), or null outside /admin.
 */
export function adminPageOf(pathname: string): AdminPage | 'unknown' | null {
  if (pathname !== '/admin' && !pathname.startsWith('/admin/')) return null;
  const page = pathname.slice('/admin'.length).replace(/^\//, '').replace(/\/$/, '');
  if (page === '') return ADMIN_PAGES[0];
  return (ADMIN_PAGES as readonly string[]).includes(page) ? (page as AdminPage) : 'unknown';
}
