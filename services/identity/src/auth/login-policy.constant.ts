/** Failed logins in a row that lock an account: enough for typos, too few for guessing. */
export const MAX_FAILED_LOGINS = 5;

/** How long a locked account stays locked. */
export const LOCKOUT_SECONDS = 15 * 60;

/** Same text for unknown email and wrong password, so the answer does not reveal who has an account. */
export const WRONG_CREDENTIALS_MESSAGE = 'Email or password is wrong';
