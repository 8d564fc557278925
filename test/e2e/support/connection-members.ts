import { waitFor } from '@switchboard/testing';
import type { GraphQLClient } from './graphql-client';

/**
 * Makes these employees the connection's members, as an admin. The chat service learns employees from
 * identity's events, so one created a moment ago can be refused ("not an active employee", field employeeIds)
 * until that event is consumed, slower on the standalone log bus under a loaded CI machine: that answer is
 * retried; any other error fails at once.
 */
export async function setConnectionMembers(admin: GraphQLClient, connectionId: string, employeeIds: string[]): Promise<void> {
  const outcome = await waitFor(
    async () => {
      const { body } = await admin.raw(`mutation($c: ID!, $e: [ID!]!) { setConnectionMembers(connectionId: $c, employeeIds: $e) { connectionId } }`, {
        c: connectionId,
        e: employeeIds,
      });
      const error = body.errors?.[0] as { message: string; extensions?: { code?: string; field?: string } } | undefined;
      const notKnownYet = error?.extensions?.code === 'BAD_USER_INPUT' && error.extensions.field === 'employeeIds';
      return notKnownYet ? false : { error };
    },
    { timeoutMs: 15_000, description: `the chat service to know employees ${employeeIds.join(', ')}` },
  );
  if (outcome.error) throw new Error(`setConnectionMembers failed: ${JSON.stringify(outcome.error)}`);
}
