import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract';

/*
 * Public events of the identity service (topic identity.events.v1, key = employee id), published through
 * its outbox. Other services keep what they need of an employee from these instead of asking identity:
 * the chat service checks that operators it is given exist and are active, and stops serving an employee
 * the moment they are deactivated rather than when their access token expires.
 */

export const EmployeeChangedV1 = defineEvent({
  type: 'identity.employee-changed',
  version: 1,
  description:
    'An employee was created, renamed, given another role, deactivated or reactivated; carries the whole current state, so the newest event per employee (by `changedAt`) is all a consumer needs.',
  schema: z.object({
    employeeId: z.uuid(),
    name: z.string().min(1),
    role: z.enum(['admin', 'operator']),
    active: z.boolean(),
    changedAt: z.iso.datetime({ offset: true }),
  }),
});

export const IDENTITY_EVENTS = [EmployeeChangedV1] as const;
export type EmployeeChanged = z.output<typeof EmployeeChangedV1.schema>;
