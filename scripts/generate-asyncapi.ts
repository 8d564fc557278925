// Generates the event documentation from the contracts in libs/contracts (TOPIC_CATALOG):
//   docs/events/asyncapi.yaml   AsyncAPI 3.0.0: one channel per topic, one message per event contract
//   docs/events/README.md       the same catalogue as a table for people
//   npm run asyncapi             rewrite both files
//   npm run asyncapi -- --check  write nothing; exit 1 when either file is missing or stale (CI)
// Output is deterministic (catalogue order, fixed key order, no timestamps) so --check can compare bytes.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import {
  CHANNEL_KINDS,
  TOPICS,
  TOPIC_CATALOG,
  deadLetterTopic,
  envelopeSchema,
  outboundTopic,
  type TopicCatalogEntry,
} from '../libs/contracts/src';
import { CHAT_CONSUMER_GROUPS } from '../services/chat/src/chat.config';
import { OUTBOUND_CONSUMER_GROUP as TELEGRAM_OUTBOUND_GROUP } from '../services/channel-telegram/src/channel-telegram.config';
import { META_CHANNELS, OUTBOUND_CONSUMER_GROUP as META_OUTBOUND_GROUP } from '../services/channel-meta/src/channel-meta.config';
import { TASKS_CONSUMER_GROUPS } from '../services/tasks/src/tasks.config';
import { FILES_CONSUMER_GROUPS } from '../services/files/src/files.config';
import { CRM_CONSUMER_GROUPS } from '../services/crm/src/crm.config';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const REPO_ROOT = join(__dirname, '..');
const ASYNCAPI_FILE = join(REPO_ROOT, 'docs', 'events', 'asyncapi.yaml');
const README_FILE = join(REPO_ROOT, 'docs', 'events', 'README.md');

// ---------------------------------------------------------------------------------------------------
// Who writes and who reads each topic. The catalogue says what travels; this says between whom.
// ---------------------------------------------------------------------------------------------------

interface TopicRoles {
  producers: string[];
  consumers: string[];
}

function rolesOf(topic: string): TopicRoles {
  const connectors = 'channel connectors (channel-telegram, ...)';
  if (topic === TOPICS.inbound) {
    return { producers: [connectors], consumers: [`chat service (group \`${CHAT_CONSUMER_GROUPS.inbound}\`)`] };
  }
  if (topic === TOPICS.delivery) {
    return { producers: [`${connectors}, through their outbox`], consumers: [`chat service (group \`${CHAT_CONSUMER_GROUPS.delivery}\`)`] };
  }
  if (topic === TOPICS.presence) {
    return {
      producers: ['channel-telegram-user (customer typing) and the chat service (operator typing, reportTyping), straight to the bus (ephemeral, no outbox)'],
      consumers: [
        `chat service (group \`${CHAT_CONSUMER_GROUPS.presence}\`: live typing for operators, decision 0042)`,
        'channel-telegram (group `channel-telegram.presence`) and channel-meta (group `channel-meta.presence`): operator typing forwarded to the customer',
      ],
    };
  }
  if (topic === TOPICS.unrecognised) {
    return { producers: [connectors], consumers: [] };
  }
  if (topic === TOPICS.chatEvents) {
    return {
      producers: ['chat service, through its outbox'],
      consumers: [`tasks service (group \`${TASKS_CONSUMER_GROUPS.chatEvents}\`)`, `crm service (group \`${CRM_CONSUMER_GROUPS.chatEvents}\`)`, `files service (group \`${FILES_CONSUMER_GROUPS.chatEvents}\`)`, 'other CRM modules'],
    };
  }
  if (topic === TOPICS.tasksEvents) {
    return { producers: ['tasks service, through its outbox'], consumers: ['other CRM modules'] };
  }
  if (topic === TOPICS.crmEvents) {
    return { producers: ['crm service, through its outbox (or another CRM module that replaces its directory)'], consumers: ['other CRM modules'] };
  }
  if (topic === TOPICS.identityEvents) {
    return { producers: ['identity service, through its outbox'], consumers: [`chat service (group \`${CHAT_CONSUMER_GROUPS.identity}\`)`, 'other CRM modules'] };
  }
  const channel = CHANNEL_KINDS.find((c) => outboundTopic(c) === topic);
  if (channel) {
    const consumer =
      channel === 'telegram'
        ? `channel-telegram (group \`${TELEGRAM_OUTBOUND_GROUP}\`)`
        : (META_CHANNELS as readonly string[]).includes(channel)
          ? `channel-meta (group \`${META_OUTBOUND_GROUP}\`)`
          : `the ${channel} connector`;
    return { producers: ['chat service, through its outbox'], consumers: [consumer] };
  }
  throw new Error(`No producers/consumers declared for topic ${topic}: add it to rolesOf() in scripts/generate-asyncapi.ts`);
}

// ---------------------------------------------------------------------------------------------------
// JSON Schema from zod 4
// ---------------------------------------------------------------------------------------------------

/**
 * The payload on the wire is what `createEnvelope` wrote: the schema's OUTPUT (defaults applied), so
 * io 'output'. Draft-07 because AsyncAPI's schema format is a superset of it. `unrepresentable: 'any'`
 * keeps generation from failing on a transform; refinements (e.g. "message content is not empty") have
 * no JSON Schema form and are enforced only by the zod schemas.
 */
function jsonSchemaOf(schema: z.ZodType): JsonObject {
  const generated = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'draft-07' }) as JsonObject;
  const { $schema: _ignored, ...rest } = generated;
  return rest;
}

function envelopePayload(entry: TopicCatalogEntry['events'][number]): JsonObject {
  const envelope = jsonSchemaOf(envelopeSchema);
  const properties = { ...(envelope.properties as JsonObject) };
  properties.type = { ...(properties.type as JsonObject), const: entry.type };
  properties.version = { ...(properties.version as JsonObject), const: entry.version };
  properties.data = { description: entry.description, ...jsonSchemaOf(entry.schema) };
  const required = [...new Set([...((envelope.required as string[] | undefined) ?? []), 'data'])];
  return { ...envelope, properties, required };
}

// ---------------------------------------------------------------------------------------------------
// The AsyncAPI document
// ---------------------------------------------------------------------------------------------------

/** Channel, operation and message ids must match ^[A-Za-z0-9_\-]+$ in AsyncAPI; topic names have dots. */
function idOf(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

const INFO_DESCRIPTION = [
  'Events exchanged by the Switchboard services (the messenger inbox module of the CRM) and published for other CRM modules.',
  '',
  'Envelope: every record value is a JSON envelope { id, type, version, time, producer, key, correlationId, causationId?, data }. Consumers dispatch on the wire name `type` + `.v` + `version` (also sent as the `event-type` header, beside `event-id`, `correlation-id` and `causation-id`). `data` is the event payload; its schema is given per message below. Producers validate `data` before publishing and consumers validate it again.',
  '',
  'Keys and order: the Kafka record key equals the envelope `key`. Every event about one chat carries the same key (the chat key `<connection id>:<platform chat id>` on messenger topics, the chat id on chat.events.v1), so events of one chat stay in one partition and are consumed in the order they were produced. There is no order between different chats.',
  '',
  'Delivery: at least once. A record can arrive more than once (retries, rebalances, relay restarts); consumers must be idempotent, e.g. on natural keys (connection + platform message id, commandId) or on the envelope `id`. The chat service (all its events) and the connectors (delivery results) publish through a transactional outbox: an event exists if and only if the change behind it committed.',
  '',
  'Dead letters: a record a consumer cannot process after retries with backoff (or that is not a valid envelope) is parked on `<topic>.dlq` with its original key, value and headers, plus the headers dlq-original-topic, dlq-original-partition, dlq-original-offset, dlq-group, dlq-error, dlq-error-type, dlq-attempts and dlq-time, for an operator to inspect and replay.',
  '',
  'Versioning: a breaking change gets a new event version (wire name `.vN+1`) or, for the topic as a whole, a new topic (`.v2`) that runs beside the old one until every consumer has moved.',
].join('\n');

const HEADERS_SCHEMA: JsonObject = {
  type: 'object',
  properties: {
    'event-id': { type: 'string', description: 'The envelope id.' },
    'event-type': { type: 'string', description: 'The wire name: type + ".v" + version.' },
    'correlation-id': { type: 'string', description: 'Shared by every event caused, directly or not, by one original event.' },
    'causation-id': { type: 'string', description: 'The id of the envelope that caused this one, when there is one.' },
  },
  required: ['event-id', 'event-type', 'correlation-id'],
};

function listOrNone(items: readonly string[]): string {
  return items.length > 0 ? items.join('; ') : 'none (kept for inspection)';
}

export function buildAsyncApi(version: string): JsonObject {
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  const messages: JsonObject = {};

  for (const entry of TOPIC_CATALOG) {
    const channelId = idOf(entry.topic);
    const roles = rolesOf(entry.topic);
    const channelMessages: JsonObject = {};
    for (const event of entry.events) {
      const messageId = idOf(event.wireName);
      channelMessages[messageId] = { $ref: `#/components/messages/${messageId}` };
      messages[messageId] ??= {
        name: event.wireName,
        title: event.wireName,
        summary: event.description,
        contentType: 'application/json',
        headers: HEADERS_SCHEMA,
        payload: envelopePayload(event),
        bindings: { kafka: { key: { type: 'string', description: 'The envelope key.' }, bindingVersion: '0.5.0' } },
      };
    }
    channels[channelId] = {
      address: entry.topic,
      title: entry.topic,
      description: `${entry.description} Key: ${entry.key}. Dead letters: ${deadLetterTopic(entry.topic)}.`,
      messages: channelMessages,
      'x-key': entry.key,
      'x-producers': roles.producers,
      'x-consumers': roles.consumers,
      'x-dead-letter-topic': deadLetterTopic(entry.topic),
    };
    const messageRefs = Object.keys(channelMessages).map((id) => ({ $ref: `#/channels/${channelId}/messages/${id}` }));
    operations[`send_${channelId}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId}` },
      title: `Publish to ${entry.topic}`,
      summary: `Producers: ${listOrNone(roles.producers)}.`,
      messages: messageRefs,
      'x-services': roles.producers,
    };
    operations[`receive_${channelId}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${channelId}` },
      title: `Consume ${entry.topic}`,
      summary: `Consumers: ${listOrNone(roles.consumers)}.`,
      messages: messageRefs,
      'x-services': roles.consumers,
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard events',
      version,
      description: INFO_DESCRIPTION,
      license: { name: 'MIT' },
    },
    defaultContentType: 'application/json',
    servers: {
      production: {
        host: 'kafka:9092',
        protocol: 'kafka',
        description:
          'The Kafka cluster of the distributed deployment (brokers come from KAFKA_BROKERS). Standalone mode carries the same topics and records on its PostgreSQL log bus (schema `bus`).',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

// ---------------------------------------------------------------------------------------------------
// A small deterministic YAML emitter for plain JSON values
// ---------------------------------------------------------------------------------------------------

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
const PLAIN = /^[A-Za-z_$][A-Za-z0-9_$ ./()-]*$/;

/** Plain when unambiguous; otherwise a JSON string, which is a valid YAML double-quoted scalar. */
function scalarString(value: string): string {
  if (value.length > 0 && PLAIN.test(value) && !RESERVED.test(value) && !value.endsWith(' ') && !value.includes(' #')) {
    return value;
  }
  return JSON.stringify(value);
}

function canBeBlock(value: string): boolean {
  return (
    value.includes('\n') &&
    !value.endsWith('\n') &&
    !value.startsWith(' ') &&
    !/[\r\t]/.test(value) &&
    // Non-printable and unusual line breaks only survive in double quotes.
    !/[\u0000-\u0008\u000b-\u001f\u007f\u0085\u2028\u2029]/.test(value) &&
    value.split('\n').every((line) => !line.endsWith(' '))
  );
}

function isEmptyContainer(value: Json): boolean {
  return (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function inline(value: Json, indent: string): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'string') {
    if (canBeBlock(value)) return `|-\n${value.split('\n').map((line) => (line === '' ? '' : `${indent}  ${line}`)).join('\n')}`;
    return scalarString(value);
  }
  if (Array.isArray(value)) return '[]';
  return '{}';
}

function emit(value: Json, indent: string): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (isObject(item) && !isEmptyContainer(item)) {
        const [first, ...rest] = emit(item, `${indent}  `);
        return [`${indent}- ${first!.slice(indent.length + 2)}`, ...rest];
      }
      if (Array.isArray(item) && item.length > 0) return [`${indent}-`, ...emit(item, `${indent}  `)];
      return [`${indent}- ${inline(item, indent)}`];
    });
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, item]) => {
      const name = scalarString(key);
      if ((isObject(item) || Array.isArray(item)) && !isEmptyContainer(item)) {
        return [`${indent}${name}:`, ...emit(item, `${indent}  `)];
      }
      return [`${indent}${name}: ${inline(item, indent)}`];
    });
  }
  return [`${indent}${inline(value, indent)}`];
}

export function toYaml(value: Json): string {
  return `${emit(value, '').join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------
// docs/events/README.md
// ---------------------------------------------------------------------------------------------------

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function buildReadme(version: string): string {
  const lines: string[] = [
    '# Switchboard events',
    '',
    '<!-- Generated by scripts/generate-asyncapi.ts from libs/contracts (TOPIC_CATALOG). Do not edit by hand: run `npm run asyncapi`. -->',
    '',
    `Contracts version ${version}. The machine-readable description is [asyncapi.yaml](./asyncapi.yaml) (AsyncAPI 3.0.0),`,
    'with the JSON Schema of every payload. The zod schemas in `libs/contracts/src` are the source of truth.',
    '',
    '- **Envelope.** Every record value is a JSON envelope `{ id, type, version, time, producer, key, correlationId, causationId?, data }`.',
    '  Consumers dispatch on the wire name (`type` + `.v` + `version`), which is also the `event-type` header.',
    '- **Keys and order.** The record key is the envelope `key`. All events about one chat share a key, so they stay in one',
    '  partition and in order; there is no order between chats.',
    '- **At least once.** A record may be delivered more than once: consumers are idempotent (natural keys, envelope `id`).',
    "  The chat service's events and the connectors' delivery results go through a transactional outbox: an event exists if and only if its change committed.",
    '- **Dead letters.** A record that keeps failing is parked on `<topic>.dlq` with its original key, value and headers plus',
    '  `dlq-original-topic`, `dlq-original-partition`, `dlq-original-offset`, `dlq-group`, `dlq-error`, `dlq-error-type`,',
    '  `dlq-attempts` and `dlq-time`.',
    '',
    '## Topics',
    '',
    '| Topic | Key | Description | Producers | Consumers | Dead letters |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const entry of TOPIC_CATALOG) {
    const roles = rolesOf(entry.topic);
    lines.push(
      `| \`${entry.topic}\` | ${cell(entry.key)} | ${cell(entry.description)} | ${cell(listOrNone(roles.producers))} | ${cell(listOrNone(roles.consumers))} | \`${deadLetterTopic(entry.topic)}\` |`,
    );
  }
  lines.push('', '## Events', '', '| Topic | Event (wire name) | Key | Description | Producers | Consumers |', '| --- | --- | --- | --- | --- | --- |');
  for (const entry of TOPIC_CATALOG) {
    const roles = rolesOf(entry.topic);
    for (const event of entry.events) {
      lines.push(
        `| \`${entry.topic}\` | \`${event.wireName}\` | ${cell(entry.key)} | ${cell(event.description)} | ${cell(listOrNone(roles.producers))} | ${cell(listOrNone(roles.consumers))} |`,
      );
    }
  }
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const outputs: { file: string; content: string }[] = [
    { file: ASYNCAPI_FILE, content: toYaml(buildAsyncApi(version)) },
    { file: README_FILE, content: buildReadme(version) },
  ];
  if (check) {
    const stale: string[] = [];
    for (const { file, content } of outputs) {
      const current = await readFile(file, 'utf8').catch(() => undefined);
      if (current !== content) stale.push(`${relative(REPO_ROOT, file)} is ${current === undefined ? 'missing' : 'stale'}`);
    }
    if (stale.length === 0) {
      console.log('docs/events is up to date.');
      return 0;
    }
    console.error(`${stale.join('\n')}\nThe event contracts changed: run \`npm run asyncapi\` and commit the result.`);
    return 1;
  }
  for (const { file, content } of outputs) {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const events = TOPIC_CATALOG.reduce((n, t) => n + t.events.length, 0);
  console.log(`Wrote ${outputs.map((o) => relative(REPO_ROOT, o.file)).join(' and ')} (${TOPIC_CATALOG.length} topics, ${events} topic events).`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
