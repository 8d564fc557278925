import { AuthenticationError, verifyAccessToken, type Logger, type Principal } from '@switchboard/service-kit';
import { GraphQLError, buildSchema, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { EMPLOYEE_ACCESS_TTL_MS, type EmployeeAccessCheck } from '../auth/employee-access-check';
import type { EphemeralEntry } from './chat-feed.client';
import type { LiveHub, LiveEvent } from './live-hub';

/**
 * The gateway's own Subscription type (Apollo's gateway does not proxy subscriptions): live chat events
 * over graphql-ws on the same /graphql path, fed by the chat service's live feed through the LiveHub.
 */
export const LIVE_SCHEMA_SDL = /* GraphQL */ `
  """
  A live chat event, or the marker that live delivery started. Keep the cursor of the last one received
  and pass it as \`after\` when reconnecting: the events missed meanwhile arrive first, once each, in order.
  """
  type ChatLiveEvent {
    "Resume after this event by passing it as after."
    cursor: String!
    "The event type as on Kafka (docs/events), e.g. chat.message-added; subscription.started for the start marker."
    type: String!
    "The chat the event is about; null for the start marker."
    chatId: ID
    "When it happened."
    occurredAt: String!
    "The event's data as JSON, with the schema documented for its type in docs/events."
    data: String
  }

  """
  One of the caller's reminders fired (tasks.reminder-fired), or the marker that live delivery started. Keep
  the cursor of the last one received and pass it as \`after\` when reconnecting, as for chatEvents.
  """
  type ReminderLiveEvent {
    "Resume after this event by passing it as after."
    cursor: String!
    "tasks.reminder-fired; subscription.started for the start marker."
    type: String!
    "The reminder that fired; null for the start marker."
    reminderId: ID
    "When it fired."
    occurredAt: String!
    "The event's data as JSON (tasks.reminder-fired in docs/events: text, fireAt, firing, chat, ...); null for the start marker."
    data: String
  }

  "Who is typing: the chat's customer or an employee."
  enum TypingActorKind {
    "The customer of the chat, as the platform reports their activity."
    CUSTOMER
    "An employee typing a reply in the console."
    EMPLOYEE
  }

  "Who is typing in a chat."
  type TypingActor {
    "CUSTOMER or EMPLOYEE."
    kind: TypingActorKind!
    "The customer's id (Chat.customer) or the employee's id."
    id: ID!
    "The name to show: the customer's display name or the employee's name."
    name: String!
  }

  """
  Someone is typing in a chat right now (ephemeral: never stored, never replayed on reconnect). Show it until
  expiresAt unless a newer one for the same chat and actor arrives; activity cancelled ends it at once.
  """
  type ChatTypingEvent {
    "The chat being typed in."
    chatId: ID!
    "Who is typing."
    who: TypingActor!
    "typing for employees; for customers what the platform reports: typing, recording_voice, uploading_photo, ..., cancelled, other."
    activity: String!
    "When it was reported (ISO 8601)."
    occurredAt: String!
    "Until when to show it (ISO 8601), about 6 s after occurredAt unless renewed."
    expiresAt: String!
  }

  type Query {
    "Subscriptions are served over graphql-ws on this path; queries and mutations over HTTP."
    liveInfo: String!
  }

  type Subscription {
    """
    Chat events of every chat the caller may see: new and updated chats and messages, delivery states,
    status and operator changes, notes, the caller's own read marks. A cursor older than the feed keeps
    ends the subscription with error code RESUME_TOO_OLD: refetch, then subscribe without a cursor.
    """
    chatEvents(after: String): ChatLiveEvent!
    """
    The caller's own reminders as they fire ("Нагадування"), once per firing, from the tasks service. A cursor
    older than the feed keeps ends the subscription with error code RESUME_TOO_OLD.
    """
    reminderEvents(after: String): ReminderLiveEvent!
    """
    Who is typing, live, in the chats the caller may see (of one chat when chatId is given): customers where the
    platform reports it (Telegram user accounts) and other employees typing a reply (reportTyping); never the
    caller's own typing. Ephemeral: no cursor, nothing is replayed after a reconnect.
    """
    chatTyping(chatId: ID): ChatTypingEvent!
  }
`;

interface LiveContext {
  principal: Principal;
}

const chatTypingArgs = z.object({ chatId: z.uuid('chatId must be a chat id').nullish() });
const afterSchema = z.object({ after: z.string().regex(/^\d{1,19}$/, 'after must be a cursor this subscription returned').nullish() });

/** Which id field a live event type carries, and where it comes from in the envelope. */
type SubjectOf = { field: string; of: (envelope: LiveEvent & { kind: 'event' }) => unknown };
const chatSubject: SubjectOf = { field: 'chatId', of: (event) => event.envelope.key };
// The reminder-fired key is the owner (per-owner order); the reminder is in the payload.
const reminderSubject: SubjectOf = { field: 'reminderId', of: (event) => (event.envelope.data as { reminderId?: string }).reminderId ?? null };

/**
 * The live schema. `reminders` is the tasks service's feed hub; without one (a deployment without the
 * tasks service) reminderEvents answers UNAVAILABLE instead of hanging.
 */
export function buildLiveSchema(hub: LiveHub, reminders?: LiveHub): GraphQLSchema {
  const schema = buildSchema(LIVE_SCHEMA_SDL);
  const fields = schema.getSubscriptionType()!.getFields();
  const serve = (name: string, source: LiveHub | undefined, subject: SubjectOf) => {
    const field = fields[name]!;
    field.subscribe = (_root: unknown, args: unknown, context: LiveContext) => {
      if (!source) throw new GraphQLError(`${name} is not available: no tasks service is configured`, { extensions: { code: 'UNAVAILABLE' } });
      const parsed = afterSchema.safeParse(args);
      if (!parsed.success) throw new GraphQLError(z.prettifyError(parsed.error), { extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
      return toPayloads(name, subject, source.subscribe(context.principal, parsed.data.after ?? undefined));
    };
    field.resolve = (payload: Record<string, unknown>) => payload[name];
  };
  serve('chatEvents', hub, chatSubject);
  serve('reminderEvents', reminders, reminderSubject);
  const typing = fields['chatTyping']!;
  typing.subscribe = (_root: unknown, args: unknown, context: LiveContext) => {
    const parsed = chatTypingArgs.safeParse(args);
    if (!parsed.success) throw new GraphQLError(z.prettifyError(parsed.error), { extensions: { code: 'BAD_USER_INPUT', field: 'chatId' } });
    return toTypingPayloads(hub.ephemeral(context.principal), parsed.data.chatId ?? undefined);
  };
  typing.resolve = (payload: Record<string, unknown>) => payload['chatTyping'];
  schema.getQueryType()!.getFields()['liveInfo']!.resolve = () => 'Subscribe to chatEvents, reminderEvents and chatTyping over graphql-ws at this URL.';
  return schema;
}

async function* toPayloads(name: string, subject: SubjectOf, events: AsyncGenerator<LiveEvent>): AsyncGenerator<Record<string, Record<string, unknown>>> {
  try {
    for await (const event of events) {
      if (event.kind === 'started') {
        yield { [name]: { cursor: event.position, type: 'subscription.started', [subject.field]: null, occurredAt: new Date().toISOString(), data: null } };
      } else {
        const { envelope } = event;
        yield {
          [name]: { cursor: event.position, type: envelope.type, [subject.field]: subject.of(event), occurredAt: envelope.time, data: JSON.stringify(envelope.data) },
        };
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'RESUME_TOO_OLD' || code === 'SLOW_SUBSCRIBER') throw new GraphQLError((error as Error).message, { extensions: { code } });
    throw error;
  }
}

async function* toTypingPayloads(entries: AsyncGenerator<EphemeralEntry>, chatId: string | undefined): AsyncGenerator<{ chatTyping: Record<string, unknown> }> {
  for await (const entry of entries) {
    if (entry.kind !== 'typing' || (chatId !== undefined && entry.chatId !== chatId)) continue;
    yield {
      chatTyping: {
        chatId: entry.chatId,
        who: { kind: entry.actor.kind === 'customer' ? 'CUSTOMER' : 'EMPLOYEE', id: entry.actor.id, name: entry.actor.name },
        activity: entry.activity,
        occurredAt: entry.occurredAt,
        expiresAt: entry.expiresAt,
      },
    };
  }
}

/** graphql-ws's close code for a connection whose caller may not (or may no longer) subscribe. */
const FORBIDDEN = 4403;

/**
 * graphql-ws on the gateway's HTTP server. The client authenticates in connection_init with
 * { authorization: "Bearer <accessToken>" }; a connection without a valid token is closed with 4403. With
 * `access`, open connections are re-checked every EMPLOYEE_ACCESS_TTL_MS, and one whose employee was since
 * deactivated or given another role is closed with 4403 and the reason (decision 0059).
 */
export function serveLiveSubscriptions(options: {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  jwtSecret: string;
  logger: Logger;
  access?: EmployeeAccessCheck;
}): {
  connections(): number;
  close(): Promise<void>;
} {
  // Client messages are small (connection_init, subscribe, complete); ws's default maxPayload is 100 MiB.
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: 64 * 1024 });
  const open = new Map<WebSocket, Principal>();
  const cleanup = useServer<Record<string, unknown>, { principal?: Principal; socket: WebSocket }>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.['authorization'];
        const match = typeof raw === 'string' ? /^Bearer\s+(.+)$/i.exec(raw.trim()) : null;
        if (!match) return false;
        try {
          const principal = await verifyAccessToken(match[1]!, options.jwtSecret);
          await options.access?.check(principal);
          ctx.extra.principal = principal;
          open.set(ctx.extra.socket, principal);
          ctx.extra.socket.once('close', () => open.delete(ctx.extra.socket));
          return true;
        } catch (error) {
          if (!(error instanceof AuthenticationError)) options.logger.error({ err: error }, 'live subscription authentication failed');
          return false;
        }
      },
      context: (ctx): LiveContext => ({ principal: ctx.extra.principal! }),
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) if (!error.extensions?.['code']) options.logger.error({ err: error }, 'live subscription error');
      },
    },
    wsServer,
  );
  const recheck = options.access ? setInterval(() => void recheckOpen(options.access!), EMPLOYEE_ACCESS_TTL_MS) : undefined;
  recheck?.unref();
  let rechecking = false;
  async function recheckOpen(access: EmployeeAccessCheck): Promise<void> {
    if (rechecking || open.size === 0) return;
    rechecking = true;
    try {
      const refused = await access.refusals([...open.values()]);
      if (refused.size === 0) return;
      for (const [socket, principal] of open) {
        const reason = refused.get(principal.employeeId);
        if (reason === undefined) continue;
        open.delete(socket);
        options.logger.info({ employeeId: principal.employeeId, reason }, 'live subscription closed: the token no longer counts');
        socket.close(FORBIDDEN, reason);
      }
    } catch (error) {
      options.logger.error({ err: error }, 'live subscriptions could not be re-checked');
    } finally {
      rechecking = false;
    }
  }

  return {
    connections: () => wsServer.clients.size,
    close: async () => {
      if (recheck) clearInterval(recheck);
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}
