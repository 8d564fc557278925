/** The compared forms of customer data (matching, decision 0026) and of picker queries. */
import { emailInText, normaliseEmail, normaliseHandle, normalisePhone } from '../src/directory/contact-normalise';
import { searchTerms } from '../src/directory/search-terms';
import { entityUrl } from '../src/common/entity-urls';
import { crmConfigSchema, urlPatternsOf } from '../src/crm.config';

describe('contact normalisation', () => {
  it.each([
    ['+380 (67) 123-45-67', '380671234567'],
    ['067 123 45 67', '380671234567'],
    ['00380671234567', '380671234567'],
    ['380671234567', '380671234567'],
    ['+48 601 234 567', '48601234567'],
  ])('phone %s -> %s', (raw, digits) => {
    expect(normalisePhone(raw, '380')).toBe(digits);
  });

  it('refuses what is not a phone number', () => {
    expect(normalisePhone('call me', '380')).toBeUndefined();
    expect(normalisePhone('12-34', '380')).toBeUndefined();
    expect(normalisePhone('+1 234 567 890 123 456 7', '380')).toBeUndefined();
  });

  it('compares e-mails and handles case-insensitively', () => {
    expect(normaliseEmail('  Anna.Smith@Example.COM ')).toBe('anna.smith@example.com');
    expect(normaliseEmail('nope')).toBeUndefined();
    expect(normaliseHandle('@Marta_K')).toBe('marta_k');
    expect(normaliseHandle('@')).toBeUndefined();
  });

  it('finds the first e-mail address a customer typed', () => {
    expect(emailInText('Мій email: Anna.Smith@example.com.')).toBe('anna.smith@example.com');
    expect(emailInText('пишіть на <petro@firma.ua>, дякую')).toBe('petro@firma.ua');
    expect(emailInText('no address @ here')).toBeUndefined();
  });
});

describe('picker search terms', () => {
  it('normalises words like crm.search_norm and a whole phone number like stored phones', () => {
    expect(searchTerms('ЗАМОВЛЕННЯ  Ковалёв', '380')).toEqual(['замовлення', 'ковалев']);
    expect(searchTerms('063 777 88 99', '380')).toEqual(['380637778899']);
    expect(searchTerms('ZX-5501', '380')).toEqual(['zx-5501']);
    expect(() => searchTerms('a', '380')).toThrow(/at least 2/);
  });
});

describe('entity URLs', () => {
  it('fills {id} into the kind pattern, or gives null without one', () => {
    expect(entityUrl({ lead: 'https://crm.example.com/leads/{id}/view' }, 'lead', 'a b')).toBe('https://crm.example.com/leads/a%20b/view');
    expect(entityUrl({}, 'client', 'x')).toBeNull();
  });
});

describe('crm configuration', () => {
  const base = { DATABASE_URL: 'postgres://x', JWT_SECRET: 'x'.repeat(32), CHAT_SERVICE_URL: 'http://chat:8080' };

  it('takes URL patterns with {id} and the unmatched-customer policy, and refuses others', () => {
    const config = crmConfigSchema.parse({ ...base, CRM_URL_PATTERN_ORDER: 'https://crm.example.com/orders/{id}', CRM_URL_PATTERN_LEAD: '' });
    expect(urlPatternsOf(config)).toEqual({ order: 'https://crm.example.com/orders/{id}' });
    expect(config.CRM_UNMATCHED_CUSTOMER).toBe('lead');
    expect(crmConfigSchema.safeParse({ ...base, CRM_URL_PATTERN_CLIENT: 'https://crm.example.com/clients' }).success).toBe(false);
    expect(crmConfigSchema.safeParse({ ...base, CRM_UNMATCHED_CUSTOMER: 'contact' }).success).toBe(false);
  });
});
