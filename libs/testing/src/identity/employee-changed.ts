import { createEnvelope, EmployeeChangedV1, TOPICS } from '@switchboard/contracts';

/**
 * identity.employee-changed as the identity service publishes it, for suites that run a service without
 * identity: the chat service only accepts operators it has heard of. `at` orders one employee's states.
 */
export function employeeChangedEvent(
  employee: { employeeId: string; name: string; role: 'admin' | 'operator' },
  at: Date = new Date(),
  change: { role?: 'admin' | 'operator'; active?: boolean } = {},
) {
  return {
    topic: TOPICS.identityEvents,
    envelope: createEnvelope(
      EmployeeChangedV1,
      { employeeId: employee.employeeId, name: employee.name, role: change.role ?? employee.role, active: change.active ?? true, changedAt: at.toISOString() },
      { producer: 'test', key: employee.employeeId },
    ),
  };
}
