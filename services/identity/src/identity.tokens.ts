/** Nest injection tokens for values that are not classes. */
export const IDENTITY_CONFIG = Symbol('IDENTITY_CONFIG');
