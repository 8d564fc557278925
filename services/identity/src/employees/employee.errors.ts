/** Domain errors of the employee directory; the GraphQL layer maps them to error codes. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`An employee with email ${email} already exists`);
    this.name = 'EmailTakenError';
  }
}
