import type { ChannelKind } from '@switchboard/contracts';
import { requireAdmin } from '../auth/access-token';
import type { SubgraphContext } from '../graphql/subgraph-server';

/**
 * Channel health in one place (decision 0033). Every connector subgraph declares the same federated
 * entity `ChannelHealthReport @key(fields: "id")`, a singleton, and contributes one field of it with its
 * own connections (`telegram`, `viber`, ...), each a `ChannelConnectionHealth`. `Query.channelHealth` is
 * @shareable: any connector answers it with the singleton's id and the gateway fetches every connector's
 * field from its owner. Each connector keeps its data; this module holds only what they share.
 */
export const CHANNEL_HEALTH_REPORT_ID = 'channels';

/** Anything that runs SQL on the connector's database (DataSource, EntityManager). */
export interface HealthExecutor {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** OK: receiving and sending. DEGRADED: working, but with a recent error or a standby/reconnecting client. */
export type ChannelHealthState = 'ok' | 'degraded' | 'error' | 'disconnected';

export interface ChannelConnectionHealth {
  channel: ChannelKind;
  connectionId: string;
  displayName: string;
  state: ChannelHealthState;
  /** The connector's own words for its state (polling, webhook, live on this instance, standby...). */
  detail: string | null;
  lastEventAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** Events about this connection stored in the connector's outbox and not yet on the bus. */
  backlog: number;
  oldestBacklogAt: Date | null;
}

export interface OutboxBacklog {
  count: number;
  oldestAt: Date | null;
}

/**
 * Outbox rows waiting, per connection. Connectors key their events by chat key (`<connection id>:<chat>`)
 * or by the connection id itself, so the part before the first ':' names the connection.
 */
export async function outboxBacklogByConnection(executor: HealthExecutor, schema: string): Promise<Map<string, OutboxBacklog>> {
  const rows = (await executor.query(
    `SELECT split_part(key, ':', 1) AS connection_id, count(*)::int AS count, min(created_at) AS oldest_at FROM "${schema}".outbox GROUP BY 1`,
  )) as Array<{ connection_id: string; count: number; oldest_at: Date | null }>;
  return new Map(rows.map((row) => [row.connection_id, { count: row.count, oldestAt: row.oldest_at }]));
}

/**
 * One row per connection, as a connector's own SQL selects it from its own schema. Column names are fixed
 * (alias yours): id, display_name, state ('active' | 'error' | 'disconnected'), last_event_at, last_error,
 * last_error_at, detail.
 */
export interface ConnectionHealthRow {
  id: string;
  display_name: string;
  state: 'active' | 'error' | 'disconnected';
  last_event_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  detail: string | null;
}

/**
 * The health of a connector's connections from its own connections query and its outbox: ERROR and
 * DISCONNECTED as stored; an active connection with an error recorded, or events waiting in the outbox for
 * longer than a minute, is DEGRADED.
 */
export async function loadChannelHealth(
  executor: HealthExecutor,
  options: { channel: ChannelKind; schema: string; connectionsSql: string },
): Promise<ChannelConnectionHealth[]> {
  const rows = (await executor.query(options.connectionsSql)) as ConnectionHealthRow[];
  const backlog = await outboxBacklogByConnection(executor, options.schema);
  const now = new Date();
  return rows.map((row) => {
    const waiting = backlog.get(row.id);
    const stuck = waiting?.oldestAt ? now.getTime() - waiting.oldestAt.getTime() > STUCK_BACKLOG_MS : false;
    const state: ChannelHealthState =
      row.state === 'error' ? 'error' : row.state === 'disconnected' ? 'disconnected' : row.last_error || stuck ? 'degraded' : 'ok';
    return {
      channel: options.channel,
      connectionId: row.id,
      displayName: row.display_name,
      state,
      detail: row.detail,
      lastEventAt: row.last_event_at,
      lastError: row.last_error,
      lastErrorAt: row.last_error_at,
      backlog: waiting?.count ?? 0,
      oldestBacklogAt: waiting?.oldestAt ?? null,
    };
  });
}

/** Outbox rows older than this mean the relay is not publishing (bus down, relay stuck). */
export const STUCK_BACKLOG_MS = 60_000;

/** A recent error (within this window) makes an otherwise working connection DEGRADED. */
export const RECENT_ERROR_MS = 15 * 60_000;

export function isRecent(at: Date | null, now = new Date()): boolean {
  return at !== null && now.getTime() - at.getTime() < RECENT_ERROR_MS;
}

/** The GraphQL value of a ChannelConnectionHealth (enum upper-cased, times as ISO-8601). */
export function channelHealthToGql(health: ChannelConnectionHealth) {
  return {
    channel: health.channel,
    connectionId: health.connectionId,
    displayName: health.displayName,
    state: health.state.toUpperCase() as 'OK' | 'DEGRADED' | 'ERROR' | 'DISCONNECTED',
    detail: health.detail,
    lastEventAt: health.lastEventAt?.toISOString() ?? null,
    lastError: health.lastError,
    lastErrorAt: health.lastErrorAt?.toISOString() ?? null,
    backlog: health.backlog,
    oldestBacklogAt: health.oldestBacklogAt?.toISOString() ?? null,
  };
}

/**
 * The resolvers a connector adds for its part of the report: the shared root field, the entity reference,
 * and its own field (`field`), all for admins only.
 */
export function channelHealthResolvers(field: string, load: () => Promise<ChannelConnectionHealth[]>) {
  const report = (context: SubgraphContext) => {
    requireAdmin(context.principal);
    return { id: CHANNEL_HEALTH_REPORT_ID };
  };
  return {
    Query: {
      channelHealth: (_parent: unknown, _args: unknown, context: SubgraphContext) => report(context),
    },
    ChannelHealthReport: {
      __resolveReference: (_reference: { id: string }, context: SubgraphContext) => report(context),
      [field]: async (_parent: unknown, _args: unknown, context: SubgraphContext) => {
        requireAdmin(context.principal);
        return (await load()).map(channelHealthToGql);
      },
    },
  };
}
