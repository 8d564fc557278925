/** Nest injection tokens for values that are not classes. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
export const IDENTITY_RATE_LIMITER = Symbol('IDENTITY_RATE_LIMITER');
