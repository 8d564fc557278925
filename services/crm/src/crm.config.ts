import { LINKED_ENTITY_KINDS, type LinkedEntityKind } from '@switchboard/contracts';
import { busConfigSchema, env } from '@switchboard/service-kit';
import { z } from 'zod';

/** What becomes of a customer no record matches (issue 7: "or becomes a new lead, configurable"). */
export const UNMATCHED_CUSTOMER_POLICIES = ['lead', 'client', 'none'] as const;
export type UnmatchedCustomerPolicy = (typeof UNMATCHED_CUSTOMER_POLICIES)[number];

/** A page address with `{id}` where the record's id goes, e.g. https://crm.example.com/clients/{id}. */
const urlPattern = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || (v.includes('{id}') && URL.canParse(v.replaceAll('{id}', 'x'))), `${name} must be a URL containing {id}`);

export const crmConfigSchema = z
  .object({
    PORT: env.port(3011),
    DATABASE_URL: z.string().min(1, 'DATABASE_URL is required (postgres://...)'),
    JWT_SECRET: env.secret(),
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(5),
    /** The chat service's base URL: linking a chat and reading its link are checked there (it owns chat visibility). */
    CHAT_SERVICE_URL: z.url('CHAT_SERVICE_URL must be the chat service base URL (http://host:port)'),
    CRM_UNMATCHED_CUSTOMER: z.enum(UNMATCHED_CUSTOMER_POLICIES).default('lead'),
    /**
     * Digits put in place of a national trunk 0 ("067 123 45 67" -> 380671234567), so a phone typed the
     * national way matches the same phone shared by a messenger in international form.
     */
    CRM_PHONE_COUNTRY_CODE: z.string().regex(/^\d{1,3}$/, 'CRM_PHONE_COUNTRY_CODE must be 1-3 digits, e.g. 380').default('380'),
    CRM_URL_PATTERN_CLIENT: urlPattern('CRM_URL_PATTERN_CLIENT'),
    CRM_URL_PATTERN_COMPANY: urlPattern('CRM_URL_PATTERN_COMPANY'),
    CRM_URL_PATTERN_LEAD: urlPattern('CRM_URL_PATTERN_LEAD'),
    CRM_URL_PATTERN_ORDER: urlPattern('CRM_URL_PATTERN_ORDER'),
  })
  .extend(busConfigSchema.shape);

export type CrmConfig = z.output<typeof crmConfigSchema>;

export const CRM_SCHEMA = 'crm';
export const CRM_PRODUCER = 'crm';
/** Consumer group names are part of operations (lag dashboards, DLQ replays): keep them stable. */
export const CRM_CONSUMER_GROUPS = { chatEvents: 'crm.chat-events' } as const;

export type UrlPatterns = Partial<Record<LinkedEntityKind, string>>;

export function urlPatternsOf(config: CrmConfig): UrlPatterns {
  const byKind: Record<LinkedEntityKind, string | undefined> = {
    client: config.CRM_URL_PATTERN_CLIENT,
    company: config.CRM_URL_PATTERN_COMPANY,
    lead: config.CRM_URL_PATTERN_LEAD,
    order: config.CRM_URL_PATTERN_ORDER,
  };
  return Object.fromEntries(LINKED_ENTITY_KINDS.flatMap((kind) => (byKind[kind] ? [[kind, byKind[kind]]] : [])));
}
