import type { TextKey } from '../i18n/messages';

/*
 * What the admin forms check before sending: the rules the API states in its schema (lengths, patterns),
 * so an obvious typo is named next to its field at once. The API checks again and its refusals are shown
 * as they come (api-error.ts); anything only the platform can judge (a revoked token) is left to it.
 */

/** Field name → the message key of its problem; empty when the form may be sent. */
export type FormProblems<F extends string> = Partial<Record<F, TextKey>>;

const STATUS_CODE = /^[a-z0-9_]{2,40}$/;
const SHORTCODE = /^[\p{L}\p{N}_-]{1,32}$/u;
const TELEGRAM_TOKEN = /^\d+:[\w-]+$/;
const DIGITS = /^\d+$/;
const PHONE = /^\+?[1-9][0-9]{6,14}$/;
const LOGIN_CODE = /^[0-9]{4,8}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function problems<F extends string>(checks: [F, TextKey | false][]): FormProblems<F> {
  const found: FormProblems<F> = {};
  for (const [field, problem] of checks) if (problem && !found[field]) found[field] = problem;
  return found;
}

const length = (value: string, min: number, max: number) => value.trim().length >= min && value.trim().length <= max;

export function statusProblems(input: { code: string; name: string }): FormProblems<'code' | 'name'> {
  return problems<'code' | 'name'>([
    ['code', !STATUS_CODE.test(input.code) && 'validation.statusCode'],
    ['name', !length(input.name, 1, 60) && 'validation.statusName'],
  ]);
}

export function statusNameProblem(name: string): TextKey | null {
  return length(name, 1, 60) ? null : 'validation.statusName';
}

export function cannedAnswerProblems(input: { shortcode: string; title: string; body: string }): FormProblems<'shortcode' | 'title' | 'body'> {
  return problems<'shortcode' | 'title' | 'body'>([
    ['shortcode', !SHORTCODE.test(input.shortcode) && 'validation.shortcode'],
    ['title', !length(input.title, 1, 100) && 'validation.title'],
    ['body', !length(input.body, 1, 4096) && 'validation.body'],
  ]);
}

export function employeeProblems(input: { name: string; email: string; password: string }): FormProblems<'name' | 'email' | 'password'> {
  return problems<'name' | 'email' | 'password'>([
    ['name', !length(input.name, 1, 200) && 'validation.required'],
    ['email', !EMAIL.test(input.email.trim()) && 'validation.email'],
    ['password', input.password.length < 8 && 'validation.password'],
  ]);
}

export function telegramBotProblems(input: { token: string }): FormProblems<'token'> {
  return problems<'token'>([['token', !TELEGRAM_TOKEN.test(input.token.trim()) && 'validation.telegramToken']]);
}

export function viberBotProblems(input: { token: string; senderName: string }): FormProblems<'token' | 'senderName'> {
  return problems<'token' | 'senderName'>([
    ['token', input.token.trim() === '' && 'validation.required'],
    ['senderName', input.senderName.trim().length > 28 && 'validation.senderName'],
  ]);
}

type MetaCredentials = 'accessToken' | 'appSecret' | 'verifyToken';

function metaCredentialChecks(input: Record<MetaCredentials, string>): [MetaCredentials, TextKey | false][] {
  return [
    ['accessToken', input.accessToken.trim() === '' && 'validation.required'],
    ['appSecret', input.appSecret.trim() === '' && 'validation.required'],
    ['verifyToken', input.verifyToken.trim().length < 16 && 'validation.verifyToken'],
  ];
}

export function whatsAppProblems(
  input: { phoneNumberId: string; wabaId: string } & Record<MetaCredentials, string>,
): FormProblems<'phoneNumberId' | 'wabaId' | MetaCredentials> {
  return problems<'phoneNumberId' | 'wabaId' | MetaCredentials>([
    ['phoneNumberId', !DIGITS.test(input.phoneNumberId.trim()) && 'validation.digits'],
    ['wabaId', !DIGITS.test(input.wabaId.trim()) && 'validation.digits'],
    ...metaCredentialChecks(input),
  ]);
}

export function metaPageProblems(
  input: { pageId: string; instagramAccountId: string } & Record<MetaCredentials, string>,
): FormProblems<'pageId' | 'instagramAccountId' | MetaCredentials> {
  return problems<'pageId' | 'instagramAccountId' | MetaCredentials>([
    ['pageId', !DIGITS.test(input.pageId.trim()) && 'validation.digits'],
    ['instagramAccountId', input.instagramAccountId.trim() !== '' && !DIGITS.test(input.instagramAccountId.trim()) && 'validation.digits'],
    ...metaCredentialChecks(input),
  ]);
}

export function bridgeProblems(input: { name: string; outboundUrl: string }): FormProblems<'name' | 'outboundUrl'> {
  return problems<'name' | 'outboundUrl'>([
    ['name', !length(input.name, 1, 200) && 'validation.required'],
    ['outboundUrl', !isHttpUrl(input.outboundUrl.trim()) && 'validation.url'],
  ]);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    // new URL throws for anything that is not a URL: that is exactly the answer.
    return false;
  }
}

/** The Telegram user login's steps: a phone as people type it (spaces, dashes, brackets dropped), the code, the password. */
export function telegramUserPhoneProblems(input: { phone: string }): FormProblems<'phone'> {
  return problems<'phone'>([['phone', !PHONE.test(input.phone.replace(/[\s()-]/g, '')) && 'validation.phone']]);
}

export function telegramUserCodeProblems(input: { code: string }): FormProblems<'code'> {
  return problems<'code'>([['code', !LOGIN_CODE.test(input.code.trim()) && 'validation.loginCode']]);
}

export function telegramUserPasswordProblems(input: { password: string }): FormProblems<'password'> {
  return problems<'password'>([['password', input.password === '' && 'validation.required']]);
}

export const hasProblems = (found: FormProblems<string>): boolean => Object.keys(found).length > 0;
