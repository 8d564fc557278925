/** Failed logins in a row that lock an account: enough for typos, too few for guessing. */
export const MAX_FAILED_LOGINS = 5;

/** How long a locked account stays locked. */
export const LOCKOUT_SECONDS = 15 * 60;

/**
 * Login attempts per email (known or not) per window. Lockout protects existing accounts only after 5
 * failures and resets after 15 minutes; this bounds guessing across lockouts and the work (argon2) an
 * attacker can make the service do per email. The gateway limits attempts per client IP.
 */
export const LOGIN_ATTEMPTS_PER_EMAIL = { name: 'login-email', limit: 20, windowSeconds: 60 * 60 } as const;

/** Same text for unknown email and wrong password, so the answer does not reveal who has an account. */
export const WRONG_CREDENTIALS_MESSAGE = 'Email or password is wrong';
