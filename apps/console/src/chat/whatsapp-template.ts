/*
 * WhatsApp message templates in the reply box: Meta numbers a template body's parameters {{1}}, {{2}}, ...
 * and sendTemplateMessage takes their values in that order, with the text as the customer will see it (the
 * inbox shows it; Meta renders its own copy from the same template and values).
 */

const PLACEHOLDER = /\{\{(\d+)\}\}/g;

/** The body's placeholder numbers, ascending, each once ({{2}} used twice is one parameter). */
export function templatePlaceholders(body: string | null): number[] {
  const numbers = new Set([...(body ?? '').matchAll(PLACEHOLDER)].map((match) => Number(match[1])));
  return [...numbers].sort((a, b) => a - b);
}

/** The body with each placeholder replaced by its value; a placeholder not filled in yet stays as it is. */
export function renderTemplate(body: string | null, values: Readonly<Record<number, string>>): string {
  return (body ?? '').replace(PLACEHOLDER, (placeholder, number: string) => {
    const value = values[Number(number)]?.trim();
    return value ? value : placeholder;
  });
}

/**
 * The bodyParameters to send, in placeholder order, or the placeholders still empty (Meta refuses a
 * template whose parameter count does not match, and the API refuses an empty parameter).
 */
export function templateParameters(body: string | null, values: Readonly<Record<number, string>>): { parameters: string[]; missing: number[] } {
  const placeholders = templatePlaceholders(body);
  const missing = placeholders.filter((number) => !values[number]?.trim());
  return { parameters: placeholders.map((number) => values[number]?.trim() ?? ''), missing };
}

/** A template's key in a picker: the same name exists once per language. */
export function templateKey(template: { name: string; language: string }): string {
  return `${template.name}/${template.language}`;
}
