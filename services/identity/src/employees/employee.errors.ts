/** Domain errors of the employee directory; the GraphQL layer maps them to error codes. */
export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`An employee with email ${email} already exists`);
    this.name = 'EmailTakenError';
  }
}

export class EmployeeNotFoundError extends Error {
  constructor(readonly employeeId: string) {
    super(`There is no employee ${employeeId}`);
    this.name = 'EmployeeNotFoundError';
  }
}

/** Demoting or deactivating the last active admin would leave nobody able to manage employees. */
export class LastAdminError extends Error {
  constructor(readonly employeeName: string) {
    super(`${employeeName} is the last active admin: make another employee an admin first`);
    this.name = 'LastAdminError';
  }
}

/** An admin deactivating their own account would be logged out mid-action by their own hand. */
export class SelfDeactivationError extends Error {
  constructor() {
    super('You cannot deactivate your own account: ask another admin');
    this.name = 'SelfDeactivationError';
  }
}
