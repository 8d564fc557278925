import { useQuery } from 'urql';
import { ViewerQuery } from '../graphql/operations';

export type ViewerAccess = 'loading' | 'admin' | 'operator' | { error: string };

/**
 * Whether the signed-in employee is an admin, as the API says now (`me`), not as the login answer said:
 * a role changed since sign-in counts. The API refuses admin operations to operators in any case; this
 * decides what the console offers.
 */
export function useViewerAccess(): ViewerAccess {
  const [{ data, error }] = useQuery({ query: ViewerQuery });
  if (data) return data.me.role === 'ADMIN' ? 'admin' : 'operator';
  if (error) return { error: error.graphQLErrors[0]?.message ?? error.message };
  return 'loading';
}
