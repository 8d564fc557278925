import { renderTemplate, templateKey, templateParameters, templatePlaceholders } from '../src/chat/whatsapp-template';

describe('WhatsApp templates in the reply box', () => {
  const body = 'Вітаємо, {{1}}! Замовлення {{2}} прибуде {{3}}. Дякуємо, {{1}}.';

  it('lists each placeholder once, in number order (not order of appearance)', () => {
    expect(templatePlaceholders(body)).toEqual([1, 2, 3]);
    expect(templatePlaceholders('{{10}} then {{2}}')).toEqual([2, 10]);
    expect(templatePlaceholders('No parameters')).toEqual([]);
    expect(templatePlaceholders(null)).toEqual([]);
  });

  it('previews the text with the values filled in, keeping empty placeholders visible', () => {
    expect(renderTemplate(body, { 1: 'Оксано', 2: '№1042', 3: '  завтра ' })).toBe('Вітаємо, Оксано! Замовлення №1042 прибуде завтра. Дякуємо, Оксано.');
    expect(renderTemplate(body, { 1: 'Оксано', 2: '   ' })).toBe('Вітаємо, Оксано! Замовлення {{2}} прибуде {{3}}. Дякуємо, Оксано.');
    expect(renderTemplate(null, {})).toBe('');
  });

  it('gives the parameters in placeholder order, or names the ones still empty', () => {
    expect(templateParameters(body, { 3: 'завтра', 1: 'Оксано', 2: '№1042' })).toEqual({ parameters: ['Оксано', '№1042', 'завтра'], missing: [] });
    expect(templateParameters(body, { 1: 'Оксано', 3: ' ' }).missing).toEqual([2, 3]);
    expect(templateParameters('Static text', {})).toEqual({ parameters: [], missing: [] });
  });

  it('keys a template by name and language (one name exists once per language)', () => {
    expect(templateKey({ name: 'order_update', language: 'uk' })).not.toBe(templateKey({ name: 'order_update', language: 'en_US' }));
  });
});
