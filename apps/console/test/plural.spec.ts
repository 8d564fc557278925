import { formatPlural } from '../src/i18n/plural';
import { createTranslator } from '../src/i18n/translate';
import { en, uk } from '../src/i18n/messages';

describe('plural forms', () => {
  const chats = (count: number) => createTranslator('uk').tn('list.count', count);

  it('says 1 чат, 2 чати, 5 чатів in Ukrainian, including the teens and compound numbers', () => {
    expect([1, 2, 3, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111, 0].map(chats)).toEqual([
      '1 чат',
      '2 чати',
      '3 чати',
      '4 чати',
      '5 чатів',
      '11 чатів',
      '12 чатів',
      '14 чатів',
      '21 чат',
      '22 чати',
      '25 чатів',
      '101 чат',
      '111 чатів',
      '0 чатів',
    ]);
  });

  it('uses the fraction form for non-integers and groups large numbers the Ukrainian way', () => {
    expect(chats(1.5)).toBe('1,5 чату');
    expect(chats(10000)).toMatch(/^10\s000 чатів$/);
  });

  it('says 1 chat, 2 chats, 0 chats in English', () => {
    const t = createTranslator('en');
    expect([0, 1, 2, 21].map((n) => t.tn('list.count', n))).toEqual(['0 chats', '1 chat', '2 chats', '21 chats']);
  });

  it('falls back to the other form when a language defines no form for a category', () => {
    expect(formatPlural('en', { other: '{count} items' }, 1)).toBe('1 items');
  });

  it('has every label in English too, with the same placeholders as the Ukrainian one', () => {
    const placeholders = (text: unknown) => [...new Set(JSON.stringify(text).match(/\{\w+\}/g) ?? [])].sort();
    for (const key of Object.keys(uk) as (keyof typeof uk)[]) {
      expect({ key, placeholders: placeholders(en[key]) }).toEqual({ key, placeholders: placeholders(uk[key]) });
    }
  });

  it('fills placeholders and keeps the customer’s labels verbatim', () => {
    const t = createTranslator('uk');
    expect(t.t('chat.number', { number: 1234 })).toBe('Чат #1234');
    expect(t.t('filters.type.UNASSIGNED')).toBe('Оператор не призначений');
    expect(t.t('filters.type.ASSIGNED_TO_ME')).toBe('Призначені мені діалоги');
    expect(t.t('filters.type.UNANSWERED')).toBe('Без відповіді');
    expect(t.t('chat.takeIntoWork')).toBe('В обробку');
    expect(t.t('reply.canned')).toBe('Вставити готову відповідь');
  });
});
