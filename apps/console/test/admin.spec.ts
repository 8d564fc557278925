import { apiErrors } from '../src/admin/api-error';
import { moveCode } from '../src/admin/reorder';
import { insertAt } from '../src/admin/text-insert';
import {
  bridgeProblems,
  cannedAnswerProblems,
  employeeProblems,
  hasProblems,
  metaPageProblems,
  statusNameProblem,
  statusProblems,
  telegramBotProblems,
  telegramUserCodeProblems,
  telegramUserPasswordProblems,
  telegramUserPhoneProblems,
  viberBotProblems,
  whatsAppProblems,
} from '../src/admin/validation';
import { createTranslator } from '../src/i18n/translate';
import { adminPageOf, adminPath } from '../src/routing/admin-routes';

describe('admin routes', () => {
  it('maps /admin paths to pages, /admin alone to the first, and anything else under /admin to unknown', () => {
    expect(adminPageOf('/admin/connections')).toBe('connections');
    expect(adminPageOf('/admin/canned-answers/')).toBe('canned-answers');
    expect(adminPageOf('/admin')).toBe('connections');
    expect(adminPageOf('/admin/')).toBe('connections');
    expect(adminPageOf('/admin/secrets')).toBe('unknown');
    expect(adminPageOf('/admin/statuses/extra')).toBe('unknown');
  });

  it('leaves the inbox and chat paths alone', () => {
    expect(adminPageOf('/')).toBeNull();
    expect(adminPageOf('/chats/c1')).toBeNull();
    expect(adminPageOf('/administrator')).toBeNull();
  });

  it('builds the path each page is found at', () => {
    expect(adminPageOf(adminPath('employees'))).toBe('employees');
  });
});

describe('reordering statuses', () => {
  const codes = ['new', 'in_progress', 'completed'];

  it('moves a status one place up or down, keeping every code once', () => {
    expect(moveCode(codes, 'completed', -1)).toEqual(['new', 'completed', 'in_progress']);
    expect(moveCode(codes, 'new', 1)).toEqual(['in_progress', 'new', 'completed']);
    expect(codes).toEqual(['new', 'in_progress', 'completed']);
  });

  it('refuses moves off either end and unknown codes', () => {
    expect(moveCode(codes, 'new', -1)).toBeNull();
    expect(moveCode(codes, 'completed', 1)).toBeNull();
    expect(moveCode(codes, 'archived', 1)).toBeNull();
  });
});

describe('admin form validation', () => {
  it('checks a new status against the API rules for codes and names', () => {
    expect(statusProblems({ code: 'awaiting_payment', name: 'Очікує оплати' })).toEqual({});
    expect(statusProblems({ code: 'A', name: '' })).toEqual({ code: 'validation.statusCode', name: 'validation.statusName' });
    expect(statusProblems({ code: 'очікує', name: 'x'.repeat(61) })).toEqual({ code: 'validation.statusCode', name: 'validation.statusName' });
    expect(statusNameProblem('  ')).toBe('validation.statusName');
    expect(statusNameProblem('Новий')).toBeNull();
  });

  it('checks canned answers: shortcode letters (any script), digits, _ and -; title and body lengths', () => {
    expect(cannedAnswerProblems({ shortcode: 'дякую_2', title: 'Подяка', body: 'Дякуємо, {{customer.firstName}}!' })).toEqual({});
    expect(cannedAnswerProblems({ shortcode: 'two words', title: '', body: '' })).toEqual({ shortcode: 'validation.shortcode', title: 'validation.title', body: 'validation.body' });
    // Variables are the API's to judge: an unknown one passes here and is refused (and shown) by the API.
    expect(hasProblems(cannedAnswerProblems({ shortcode: 'x', title: 'x', body: '{{custmer.name}}' }))).toBe(false);
  });

  it('checks a new employee: name, e-mail shape, password of 8+ characters', () => {
    expect(employeeProblems({ name: 'Олена', email: 'olena@example.com', password: '12345678' })).toEqual({});
    expect(employeeProblems({ name: ' ', email: 'olena@', password: '1234567' })).toEqual({ name: 'validation.required', email: 'validation.email', password: 'validation.password' });
  });

  it('checks connect forms per channel', () => {
    expect(telegramBotProblems({ token: '123456:TEST-token-for-e2e' })).toEqual({});
    expect(telegramBotProblems({ token: 'not a token' })).toEqual({ token: 'validation.telegramToken' });
    expect(viberBotProblems({ token: '', senderName: 'x'.repeat(29) })).toEqual({ token: 'validation.required', senderName: 'validation.senderName' });
    const meta = { accessToken: 'EAAB', appSecret: 'secret', verifyToken: 'verify-token-1234' };
    expect(whatsAppProblems({ phoneNumberId: '1055', wabaId: '2066', ...meta })).toEqual({});
    expect(whatsAppProblems({ phoneNumberId: '+1 555', wabaId: '', ...meta, verifyToken: 'short' })).toEqual({
      phoneNumberId: 'validation.digits',
      wabaId: 'validation.digits',
      verifyToken: 'validation.verifyToken',
    });
    expect(metaPageProblems({ pageId: '777', instagramAccountId: '', ...meta })).toEqual({});
    expect(metaPageProblems({ pageId: '777', instagramAccountId: '@shop', ...meta, appSecret: ' ' })).toEqual({ instagramAccountId: 'validation.digits', appSecret: 'validation.required' });
    expect(bridgeProblems({ name: 'Viber gateway', outboundUrl: 'https://partner.example/replies' })).toEqual({});
    expect(bridgeProblems({ name: '', outboundUrl: 'ftp://partner.example' })).toEqual({ name: 'validation.required', outboundUrl: 'validation.url' });
    expect(bridgeProblems({ name: 'x', outboundUrl: 'partner.example' })).toEqual({ outboundUrl: 'validation.url' });
  });

  it('checks the Telegram user login steps as the API does: a phone as typed, a 4-8 digit code, a password', () => {
    expect(telegramUserPhoneProblems({ phone: '+380 (50) 123-45-67' })).toEqual({});
    expect(telegramUserPhoneProblems({ phone: '050 12' })).toEqual({ phone: 'validation.phone' });
    expect(telegramUserCodeProblems({ code: ' 12345 ' })).toEqual({});
    expect(telegramUserCodeProblems({ code: '12a45' })).toEqual({ code: 'validation.loginCode' });
    expect(telegramUserPasswordProblems({ password: '' })).toEqual({ password: 'validation.required' });
  });
});

describe("the API's typed errors", () => {
  it('keeps each error with its code, field and reason', () => {
    const error = {
      message: '[GraphQL] Unknown variables: {{custmer.name}}',
      graphQLErrors: [
        { message: 'Unknown variables: {{custmer.name}}. Known: customer.name', extensions: { code: 'BAD_USER_INPUT', field: 'body' } },
        { message: 'Too many requests', extensions: { code: 'RATE_LIMITED', reason: 'FLOOD_WAIT' } },
      ],
    };
    expect(apiErrors(error)).toEqual([
      { code: 'BAD_USER_INPUT', field: 'body', reason: null, message: 'Unknown variables: {{custmer.name}}. Known: customer.name' },
      { code: 'RATE_LIMITED', field: null, reason: 'FLOOD_WAIT', message: 'Too many requests' },
    ]);
  });

  it('reports a network failure as one error without a code', () => {
    expect(apiErrors({ message: '[Network] Failed to fetch', graphQLErrors: [], networkError: new Error('Failed to fetch') })).toEqual([
      { code: null, field: null, reason: null, message: 'Failed to fetch' },
    ]);
  });
});

describe('inserting a variable into a canned answer', () => {
  it('replaces the selection and puts the caret after the insert', () => {
    expect(insertAt('Добрий день, !', '{{customer.firstName}}', 13, 13)).toEqual({ text: 'Добрий день, {{customer.firstName}}!', caret: 35 });
    expect(insertAt('Hello NAME', '{{customer.name}}', 6, 10)).toEqual({ text: 'Hello {{customer.name}}', caret: 23 });
    expect(insertAt('ab', 'X', 10, 3)).toEqual({ text: 'abX', caret: 3 });
  });
});

describe('admin counts in both languages', () => {
  const uk = createTranslator('uk');
  const en = createTranslator('en');

  it('says 1 статус, 3 статуси, 5 статусів and the same for connections, employees, answers and backlogs', () => {
    expect([1, 3, 5, 21].map((n) => uk.tn('st.count', n))).toEqual(['1 статус', '3 статуси', '5 статусів', '21 статус']);
    expect([1, 2, 11].map((n) => uk.tn('conn.count', n))).toEqual(['1 підключення', '2 підключення', '11 підключень']);
    expect([1, 4, 5].map((n) => uk.tn('emp.count', n))).toEqual(['1 працівник', '4 працівники', '5 працівників']);
    expect([1, 2, 5].map((n) => uk.tn('ca.count', n))).toEqual(['1 відповідь', '2 відповіді', '5 відповідей']);
    expect([1, 2, 12].map((n) => uk.tn('health.backlog', n))).toEqual(['1 подія чекає в черзі', '2 події чекають у черзі', '12 подій чекають у черзі']);
    expect([1, 2].map((n) => en.tn('health.backlog', n))).toEqual(['1 event queued', '2 events queued']);
    expect(en.tn('emp.count', 1)).toBe('1 employee');
  });
});
