/**
 * Canned answer templates (C8): text with {{variable}} placeholders filled in for one chat and one
 * operator. The variable list is closed: a template naming anything else is rejected when it is saved
 * and again when it is rendered, so a typo can never reach a customer as "{{custmer.name}}".
 */
export const TEMPLATE_VARIABLES = {
  'customer.name': "The customer's name as their messenger shows it",
  'customer.firstName': "The customer's first name (the first word of their name)",
  'customer.username': "The customer's username, when the messenger has one",
  'operator.name': "The replying operator's full name",
  'operator.firstName': "The replying operator's first name",
  'chat.number': 'The chat number, e.g. 1234',
  'source.name': 'The bot, page or number the customer wrote to',
} as const;

export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;
export type TemplateValues = Record<TemplateVariable, string | null>;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function isTemplateVariable(name: string): name is TemplateVariable {
  return Object.hasOwn(TEMPLATE_VARIABLES, name);
}

/** Names used in the template that are not known variables (empty when the template is valid). */
export function unknownVariables(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) if (!isTemplateVariable(match[1]!)) unknown.add(match[1]!);
  return [...unknown];
}

/** Fills the template; variables without a value for this chat are left out and reported. */
export function renderTemplate(template: string, values: TemplateValues): { text: string; missing: TemplateVariable[] } {
  const unknown = unknownVariables(template);
  if (unknown.length > 0) throw new Error(`Unknown template variables: ${unknown.join(', ')}`);
  const missing = new Set<TemplateVariable>();
  const text = template.replace(PLACEHOLDER, (_, name: string) => {
    const value = values[name as TemplateVariable];
    if (value === null || value === '') missing.add(name as TemplateVariable);
    return value ?? '';
  });
  return { text, missing: [...missing] };
}

export function firstName(fullName: string): string {
  return fullName.trim().split(/\s+/)[0] ?? '';
}
