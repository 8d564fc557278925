import type { LinkedEntityKind } from '@switchboard/contracts';
import type { UrlPatterns } from '../crm.config';

/** A record's page in the CRM (D2 Контакт/Лід/Замовлення), from the kind's configured pattern; null when none is set. */
export function entityUrl(patterns: UrlPatterns, kind: LinkedEntityKind, id: string): string | null {
  const pattern = patterns[kind];
  return pattern ? pattern.replaceAll('{id}', encodeURIComponent(id)) : null;
}
