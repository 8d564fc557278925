/**
 * The forms customer data are compared in, so the same phone, e-mail or handle written differently still
 * matches (issue 7 matching). Stored next to the original (phone_digits, email_norm, handle_norm).
 */

/** Shortest digit string taken for a phone number: anything shorter is an extension or a typo. */
const MIN_PHONE_DIGITS = 7;

/**
 * Digits only, international form: "+380 (67) 123-45-67", "00380671234567" and, with country code 380,
 * "067 123 45 67" all become 380671234567. Undefined when the text is not a phone number.
 */
export function normalisePhone(raw: string, countryCode: string): string | undefined {
  if (!/^[\d\s()+.\-/]+$/.test(raw.trim())) return undefined;
  let digits = raw.replace(/\D/g, '');
  if (digits.startsWith('00')) digits = digits.slice(2);
  else if (digits.startsWith('0')) digits = countryCode + digits.slice(1);
  return digits.length >= MIN_PHONE_DIGITS && digits.length <= 15 ? digits : undefined;
}

/** E-mail addresses compare case-insensitively in practice (mail providers ignore case in the local part). */
export function normaliseEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) ? value : undefined;
}

/** "@Marta_K" and "marta_k" are one Telegram/Instagram handle. */
export function normaliseHandle(raw: string): string | undefined {
  const value = raw.trim().replace(/^@/, '').toLowerCase();
  return value.length > 0 ? value : undefined;
}

const EMAIL_IN_TEXT = /[^\s@<>()[\]"',;:]+@[^\s@<>()[\]"',;:]+\.[a-z]{2,}/iu;

/** The first e-mail address a customer typed in a message ("пишіть на marta@example.com"), normalised. */
export function emailInText(text: string): string | undefined {
  const found = EMAIL_IN_TEXT.exec(text)?.[0];
  return found ? normaliseEmail(found.replace(/\.+$/, '')) : undefined;
}
