/*
 * Validates what cannot run here (no Docker engine, no Kubernetes cluster): a step of `npm test`.
 *
 *   node -r ./scripts/register.js scripts/validate-deploy.ts                 # check everything
 *   node -r ./scripts/register.js scripts/validate-deploy.ts --write-topics  # regenerate k8s/kafka-topics/topics.yaml
 *
 * 1. Kafka topics: k8s/kafka-topics/topics.yaml equals what TOPIC_CATALOG (libs/contracts) and the
 *    partition plan below generate; every catalog topic has a plan entry and a DLQ where it is consumed.
 * 2. Dockerfile: dockerfile-utils (the validator behind the VS Code Docker language service: unknown
 *    instructions and flags, malformed arguments) plus the hadolint rules listed in DOCKERFILE_RULES.
 * 3. Compose: `docker-compose config -q` (Debian's docker-compose 1.29) with .env.example; each app
 *    service's resolved environment is accepted by that service's own config schema.
 * 4. Kubernetes: `kubectl kustomize` builds every overlay; every built-in resource validates against the
 *    Kubernetes OpenAPI schema (kubernetes-models: the schema compiled to ajv validators) and, for unknown
 *    or misspelt fields, against the same models' TypeScript types (excess-property check); the CRDs
 *    (Strimzi KafkaTopic, KEDA ScaledObject) against the focused JSON schemas in this file; then the
 *    references between resources (selectors, ConfigMap keys, scale targets, Ingress backends), the probe /
 *    resource / secret rules, and each Deployment's environment against its service's config schema.
 *
 * kubectl and docker-compose come from Debian (kubernetes-client, docker-compose; .ci/run installs them).
 * When one is missing the parts that need it are skipped with the reason, unless REQUIRE_INTEGRATION=1
 * (CI), where a missing tool fails the step, as the integration suites do.
 */
import { spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import { validate as lintDockerfileSyntax } from 'dockerfile-utils';
import * as ts from 'typescript';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { TOPIC_CATALOG, TOPICS, deadLetterTopic } from '@switchboard/contracts';

const ROOT = join(__dirname, '..');
const TOPICS_FILE = join(ROOT, 'k8s', 'kafka-topics', 'topics.yaml');
// K8S_OVERLAYS_DIR: validate other overlays (used to prove the checks catch broken manifests).
const OVERLAYS_DIR = process.env.K8S_OVERLAYS_DIR ?? join(ROOT, 'k8s', 'overlays');
const COMPOSE_FILE = join(ROOT, 'deploy', 'compose', 'docker-compose.yml');
const COMPOSE_ENV = join(ROOT, 'deploy', 'compose', '.env.example');
const DOCKERFILE = join(ROOT, 'Dockerfile');
const integrationRequired = process.env.REQUIRE_INTEGRATION === '1';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface Resource {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  raw: JsonObject;
}

// ---------------------------------------------------------------------------------------------------------
// 1. Kafka topics and the partition plan
// ---------------------------------------------------------------------------------------------------------

/**
 * The scale-out plan. Partitions are the ceiling of consumers per group, and adding partitions later moves
 * keys to other partitions (per-chat order breaks for the moment of the move), so counts are set for the
 * largest planned deployment up front:
 * - messenger.inbound.v1, chat.events.v1: 24. The chat service scales to 12 pods (2 partitions each),
 *   leaving room to double without repartitioning; other CRM modules read chat.events with up to 24.
 * - messenger.outbound.<channel>.v1: 8 per channel: a connector scales to 8 pods (its HPA maximum).
 * - messenger.delivery.v1: 12: one result per send plus platform receipts, read by chat.
 * - tasks.events.v1, crm.events.v1: 6, identity.events.v1 and messenger.unrecognised.v1: 3 (low volume).
 * - every <topic>.dlq: 3 partitions, 30 days: parked records wait for an operator to inspect and replay.
 * Replication 3 with min.insync.replicas 2: a write is acknowledged by two brokers (kafkajs acks=-1), so
 * losing one broker loses nothing and blocks nothing.
 */
const PARTITION_PLAN: Record<string, { partitions: number; dlq: boolean }> = {
  [TOPICS.inbound]: { partitions: 24, dlq: true },
  [TOPICS.delivery]: { partitions: 12, dlq: true },
  // Parked payloads for inspection; no consumer in Switchboard, so no DLQ.
  [TOPICS.unrecognised]: { partitions: 3, dlq: false },
  [TOPICS.chatEvents]: { partitions: 24, dlq: true },
  [TOPICS.tasksEvents]: { partitions: 6, dlq: true },
  [TOPICS.crmEvents]: { partitions: 6, dlq: true },
  [TOPICS.identityEvents]: { partitions: 3, dlq: true },
  // Ephemeral typing hints, best effort: consumers never park them, so no DLQ.
  [TOPICS.presence]: { partitions: 12, dlq: false },
};
const OUTBOUND_PLAN = { partitions: 8, dlq: true };
const DLQ_PARTITIONS = 3;
const RETENTION_MS = 7 * 24 * 3_600_000;
const DLQ_RETENTION_MS = 30 * 24 * 3_600_000;

function planFor(topic: string): { partitions: number; dlq: boolean } | undefined {
  return PARTITION_PLAN[topic] ?? (/^messenger\.outbound\.[a-z-]+\.v\d+$/.test(topic) ? OUTBOUND_PLAN : undefined);
}

function kafkaTopic(topic: string, partitions: number, retentionMs: number): JsonObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: {
      // Kubernetes names: dots are legal but hyphens read better; topicName carries the real name.
      name: topic.replace(/\./g, '-'),
      labels: { 'strimzi.io/cluster': 'switchboard', 'switchboard.io/rollout-phase': 'prepare' },
    },
    spec: {
      topicName: topic,
      partitions,
      replicas: 3,
      config: { 'retention.ms': retentionMs, 'min.insync.replicas': 2, 'cleanup.policy': 'delete' },
    },
  };
}

function expectedTopicsFile(problems: string[]): string {
  const docs: JsonObject[] = [];
  for (const entry of TOPIC_CATALOG) {
    const plan = planFor(entry.topic);
    if (!plan) {
      problems.push(`topic ${entry.topic} (libs/contracts) has no entry in PARTITION_PLAN (scripts/validate-deploy.ts): decide its partitions`);
      continue;
    }
    docs.push(kafkaTopic(entry.topic, plan.partitions, RETENTION_MS));
    if (plan.dlq) docs.push(kafkaTopic(deadLetterTopic(entry.topic), DLQ_PARTITIONS, DLQ_RETENTION_MS));
  }
  const header = [
    '# GENERATED by `node -r ./scripts/register.js scripts/validate-deploy.ts --write-topics` from',
    '# libs/contracts (TOPIC_CATALOG) and PARTITION_PLAN in scripts/validate-deploy.ts (the scale-out plan is',
    '# explained there). Do not edit by hand: CI fails when this file and the catalog disagree.',
  ].join('\n');
  return `${header}\n${docs.map((doc) => stringifyYaml(doc)).join('---\n')}`;
}

function checkTopics(write: boolean): string[] {
  const problems: string[] = [];
  const expected = expectedTopicsFile(problems);
  if (problems.length > 0) return problems;
  if (write) {
    writeFileSync(TOPICS_FILE, expected);
    console.log(`wrote ${relative(ROOT, TOPICS_FILE)}`);
    return [];
  }
  const actual = existsSync(TOPICS_FILE) ? readFileSync(TOPICS_FILE, 'utf8') : '';
  if (actual !== expected) {
    problems.push(`${relative(ROOT, TOPICS_FILE)} is stale: run node -r ./scripts/register.js scripts/validate-deploy.ts --write-topics`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------------
// 2. Dockerfile lint
// ---------------------------------------------------------------------------------------------------------

/** The hadolint rules checked here (hadolint itself is not packaged for Debian or npm). */
const DOCKERFILE_RULES = [
  'DL3000 WORKDIR is absolute',
  'DL3002 the final stage switches to a non-root USER',
  'DL3003 no `cd` in RUN (use WORKDIR)',
  'DL3006 every base image is tagged',
  'DL3007 no :latest base image',
  'DL3009 apt lists removed in the RUN that installs',
  'DL3014 apt-get install -y',
  'DL3015 apt-get install --no-install-recommends',
  'DL3020 COPY, not ADD, for files',
  'DL3025 CMD and ENTRYPOINT in JSON form',
  'DL4006 pipes in RUN only with SHELL set to -o pipefail',
  'SB001 npm ci (lock respected), never npm install',
  'SB002 the final stage has a HEALTHCHECK',
];

interface DockerInstruction {
  keyword: string;
  args: string;
  line: number;
}

function parseDockerfile(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const first = lines[i] as string;
    if (/^\s*(#|$)/.test(first)) continue;
    const start = i;
    let joined = first;
    while (/\\\s*$/.test(joined) && i + 1 < lines.length) {
      i++;
      const next = lines[i] as string;
      if (/^\s*#/.test(next)) continue; // comment lines inside a continued instruction
      joined = joined.replace(/\\\s*$/, ' ') + next;
    }
    const match = /^\s*([A-Za-z]+)\s*(.*)$/.exec(joined);
    if (match) instructions.push({ keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim(), line: start + 1 });
  }
  return instructions;
}

function checkDockerfile(): string[] {
  const problems: string[] = [];
  const text = readFileSync(DOCKERFILE, 'utf8');
  for (const diagnostic of lintDockerfileSyntax(text, {})) {
    problems.push(`Dockerfile:${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
  }
  const instructions = parseDockerfile(text);
  const argDefaults = new Map<string, string>();
  const stages: DockerInstruction[][] = [];
  let pipefail = false;
  for (const ins of instructions) {
    const at = `Dockerfile:${ins.line}`;
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = ins.args.split('=', 2);
      if (name && value !== undefined) argDefaults.set(name, value.replace(/^"|"$/g, ''));
    }
    if (ins.keyword === 'FROM') {
      stages.push([]);
      const image = (ins.args.split(/\s+/).find((word) => !word.startsWith('--')) ?? '').replace(/\$\{?(\w+)\}?/g, (_m, name: string) => argDefaults.get(name) ?? '');
      const stageNames = stages.length > 1 ? instructions.filter((i) => i.keyword === 'FROM' && i.line < ins.line).map((i) => i.args.split(/\s+as\s+/i)[1]) : [];
      if (!stageNames.includes(image) && image !== 'scratch') {
        if (!/[:@]/.test(image.split('/').pop() ?? '')) problems.push(`${at}: DL3006 base image "${image}" has no tag`);
        if (/:latest$/.test(image)) problems.push(`${at}: DL3007 base image "${image}" uses :latest`);
      }
    }
    stages[stages.length - 1]?.push(ins);
    if (ins.keyword === 'SHELL' && /pipefail/.test(ins.args)) pipefail = true;
    if (ins.keyword === 'WORKDIR' && !ins.args.startsWith('/') && !ins.args.startsWith('$')) problems.push(`${at}: DL3000 WORKDIR ${ins.args} is not absolute`);
    if (ins.keyword === 'ADD' && !/^(--\S+\s+)*(https?:|git@)/.test(ins.args)) problems.push(`${at}: DL3020 use COPY instead of ADD for files`);
    if ((ins.keyword === 'CMD' || ins.keyword === 'ENTRYPOINT') && !ins.args.startsWith('[')) problems.push(`${at}: DL3025 ${ins.keyword} not in JSON form (signals would go to a shell)`);
    if (ins.keyword === 'RUN') {
      const command = ins.args.replace(/^(--\S+\s+)+/, '');
      if (/(^|[;&|]\s*)cd\s/.test(command)) problems.push(`${at}: DL3003 use WORKDIR instead of cd`);
      if (/(^|[^|])\|([^|]|$)/.test(command) && !pipefail) problems.push(`${at}: DL4006 a pipe in RUN without SHELL ["/bin/bash", "-o", "pipefail", "-c"]`);
      if (/\bnpm\s+(install|i)\b/.test(command)) problems.push(`${at}: SB001 use npm ci (respects package-lock.json), not npm install`);
      if (/apt-get\s+install/.test(command)) {
        if (!/\s(-y|--yes|-qq?y)\b/.test(command)) problems.push(`${at}: DL3014 apt-get install without -y`);
        if (!/--no-install-recommends/.test(command)) problems.push(`${at}: DL3015 apt-get install without --no-install-recommends`);
        if (!/rm -rf \/var\/lib\/apt\/lists/.test(command)) problems.push(`${at}: DL3009 apt lists not removed in the same RUN`);
      }
    }
  }
  const final = stages[stages.length - 1] ?? [];
  const users = final.filter((i) => i.keyword === 'USER');
  const lastUser = users[users.length - 1]?.args.split(':')[0];
  if (!lastUser || lastUser === 'root' || lastUser === '0') problems.push('Dockerfile: DL3002 the final stage must end as a non-root USER');
  if (!final.some((i) => i.keyword === 'HEALTHCHECK')) problems.push('Dockerfile: SB002 the final stage has no HEALTHCHECK');
  return problems;
}

/**
 * The image installs production dependencies only (npm ci --omit=dev). A runtime import of a package that
 * is only a devDependency (or not declared) would pass every test here and crash the container at start:
 * scan what the image runs (libs except testing, services, gateway, the launcher, scripts/migrate.ts and ops.ts).
 */
function checkRuntimeDependencies(): string[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  const production = new Set(Object.keys(manifest.dependencies ?? {}));
  const builtins = new Set(builtinModules);
  const roots = [
    ...readdirSync(join(ROOT, 'libs')).filter((lib) => lib !== 'testing').map((lib) => join('libs', lib, 'src')),
    ...readdirSync(join(ROOT, 'services')).map((service) => join('services', service, 'src')),
    join('gateway', 'src'),
    join('deploy', 'image'),
    join('scripts', 'migrate.ts'),
    join('scripts', 'ops.ts'),
    join('scripts', 'register.js'),
  ];
  const files: string[] = [];
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (/\.(ts|js)$/.test(path) && !/\.(spec|test)\.ts$/.test(path)) files.push(path);
  };
  for (const root of roots) walk(join(ROOT, root));
  const problems = new Set<string>();
  for (const file of files) {
    // Type-only imports are erased by SWC and need nothing at run time.
    const code = readFileSync(file, 'utf8').replace(/^\s*(import|export)\s+type\s[^;]*;/gm, '');
    for (const match of code.matchAll(/(?:from\s+|import\s*\(\s*|require\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
      if (builtins.has(name) || name.startsWith('@switchboard/') || production.has(name)) continue;
      problems.add(`${relative(ROOT, file)}: imports ${name}, which is not in package.json "dependencies" (the image installs those only)`);
    }
  }
  return [...problems];
}

// ---------------------------------------------------------------------------------------------------------
// Tools
// ---------------------------------------------------------------------------------------------------------

function run(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0 && !result.error, stdout: result.stdout ?? '', stderr: result.error ? result.error.message : (result.stderr ?? '') };
}

/** The tool's path if it answers; otherwise the reason it cannot be used (a skip, or a failure under CI). */
function tool(command: string, versionArgs: string[], install: string): { path?: string; missing?: string } {
  const probe = run(command, versionArgs);
  if (probe.ok) return { path: command };
  return { missing: `${command} is not available (${install}): ${probe.stderr.trim().split('\n')[0] ?? ''}` };
}

// ---------------------------------------------------------------------------------------------------------
// Service config schemas (env checks for compose and Kubernetes)
// ---------------------------------------------------------------------------------------------------------

interface EnvSchema {
  safeParse(input: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}

const schemaCache = new Map<string, EnvSchema | undefined>();

/** The zod schema a service validates its environment with: the package's `*ConfigSchema` / `*EnvSchema` export. */
async function configSchemaOf(service: string): Promise<EnvSchema | undefined> {
  if (schemaCache.has(service)) return schemaCache.get(service);
  let schema: EnvSchema | undefined;
  try {
    const mod = (await import(`@switchboard/${service}`)) as Record<string, unknown>;
    const found = Object.entries(mod).find(([name, value]) => /(Config|Env)Schema$/.test(name) && typeof (value as EnvSchema | null)?.safeParse === 'function');
    schema = found?.[1] as EnvSchema | undefined;
  } catch {
    schema = undefined;
  }
  schemaCache.set(service, schema);
  return schema;
}

async function checkServiceEnv(where: string, service: string, env: Record<string, string>): Promise<string[]> {
  if (service === 'migrate') {
    const hasUrl = Object.keys(env).some((name) => name === 'DATABASE_URL' || name.endsWith('_DATABASE_URL'));
    return hasUrl ? [] : [`${where}: the migrate role needs DATABASE_URL or <SCHEMA>_DATABASE_URL`];
  }
  const schema = await configSchemaOf(service);
  if (!schema) return [`${where}: no config schema found for SERVICE=${service} (@switchboard/${service} exports no *ConfigSchema)`];
  const result = schema.safeParse(env);
  if (result.success) return [];
  return (result.error?.issues ?? []).map((issue) => `${where}: SERVICE=${service} would not start: ${issue.path.map(String).join('.') || '(env)'}: ${issue.message}`);
}

// ---------------------------------------------------------------------------------------------------------
// 3. Compose
// ---------------------------------------------------------------------------------------------------------

async function checkCompose(): Promise<{ problems: string[]; skipped?: string }> {
  const compose = tool(process.env.DOCKER_COMPOSE ?? 'docker-compose', ['version'], "Debian package docker-compose");
  if (!compose.path) return { problems: [], skipped: compose.missing };
  const base = ['--env-file', COMPOSE_ENV, '-f', COMPOSE_FILE];
  const quiet = run(compose.path, [...base, 'config', '-q']);
  if (!quiet.ok) return { problems: [`docker-compose config -q failed:\n${quiet.stderr.trim()}`] };
  const resolved = run(compose.path, [...base, 'config']);
  const config = parseYaml(resolved.stdout) as { services?: Record<string, { environment?: Record<string, string | null> }> };
  const problems: string[] = [];
  for (const [name, service] of Object.entries(config.services ?? {})) {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v ?? '']));
    if (env.SERVICE) problems.push(...(await checkServiceEnv(`compose service ${name}`, env.SERVICE, env)));
  }
  return { problems };
}

// ---------------------------------------------------------------------------------------------------------
// 4. Kubernetes
// ---------------------------------------------------------------------------------------------------------

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const crdMetadata = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: DNS_SUBDOMAIN, maxLength: 253 },
    namespace: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/**
 * Focused schemas for the two CRDs we use, written from their documented spec (Strimzi 0.4x KafkaTopic
 * v1beta2, KEDA 2.x ScaledObject): they check the shape and the fields we rely on, not every field the
 * operators accept, and reject unknown fields so a typo cannot pass.
 */
const CRD_SCHEMAS: Record<string, object> = {
  'kafka.strimzi.io/v1beta2/KafkaTopic': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { const: 'kafka.strimzi.io/v1beta2' },
      kind: { const: 'KafkaTopic' },
      metadata: { ...crdMetadata, required: ['name', 'labels'], properties: { ...crdMetadata.properties, labels: { type: 'object', required: ['strimzi.io/cluster'], additionalProperties: { type: 'string' } } } },
      spec: {
        type: 'object',
        required: ['partitions', 'replicas'],
        additionalProperties: false,
        properties: {
          topicName: { type: 'string', pattern: '^[a-zA-Z0-9._-]{1,249}$' },
          partitions: { type: 'integer', minimum: 1 },
          replicas: { type: 'integer', minimum: 1, maximum: 32767 },
          config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        },
      },
    },
  },
  'keda.sh/v1alpha1/ScaledObject': {
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { const: 'keda.sh/v1alpha1' },
      kind: { const: 'ScaledObject' },
      metadata: crdMetadata,
      spec: {
        type: 'object',
        required: ['scaleTargetRef', 'triggers'],
        additionalProperties: false,
        properties: {
          scaleTargetRef: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: 'string' }, apiVersion: { type: 'string' }, kind: { type: 'string' }, envSourceContainerName: { type: 'string' } },
          },
          pollingInterval: { type: 'integer', minimum: 1 },
          cooldownPeriod: { type: 'integer', minimum: 0 },
          initialCooldownPeriod: { type: 'integer', minimum: 0 },
          idleReplicaCount: { type: 'integer', minimum: 0 },
          minReplicaCount: { type: 'integer', minimum: 0 },
          maxReplicaCount: { type: 'integer', minimum: 1 },
          fallback: { type: 'object', required: ['failureThreshold', 'replicas'], properties: { failureThreshold: { type: 'integer' }, replicas: { type: 'integer' } } },
          advanced: {
            type: 'object',
            additionalProperties: false,
            properties: {
              restoreToOriginalReplicaCount: { type: 'boolean' },
              horizontalPodAutoscalerConfig: {
                type: 'object',
                additionalProperties: false,
                properties: { name: { type: 'string' }, behavior: { type: 'object', additionalProperties: false, properties: { scaleUp: { type: 'object' }, scaleDown: { type: 'object' } } } },
              },
            },
          },
          triggers: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['type', 'metadata'],
              additionalProperties: false,
              properties: {
                type: { type: 'string', minLength: 1 },
                name: { type: 'string' },
                metricType: { enum: ['AverageValue', 'Value', 'Utilization'] },
                useCachedMetrics: { type: 'boolean' },
                authenticationRef: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, kind: { type: 'string' } } },
                // KEDA takes every trigger setting as a string.
                metadata: { type: 'object', additionalProperties: { type: 'string' } },
              },
              allOf: [
                {
                  if: { properties: { type: { const: 'kafka' } } },
                  then: { properties: { metadata: { required: ['bootstrapServers', 'consumerGroup', 'topic', 'lagThreshold'], properties: { lagThreshold: { pattern: '^[0-9]+$' } } } } },
                },
                {
                  if: { properties: { type: { enum: ['cpu', 'memory'] } } },
                  then: { required: ['metricType'], properties: { metadata: { required: ['value'] } } },
                },
              ],
            },
          },
        },
      },
    },
  },
};

// strict: unknown keywords are errors; required/type strictness is relaxed for the if/then trigger rules.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
const crdValidators = new Map<string, ValidateFunction>(Object.entries(CRD_SCHEMAS).map(([key, schema]) => [key, ajv.compile(schema)]));

/** kubernetes-models module of a built-in kind, e.g. apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment. */
function modelModule(resource: Resource): string {
  return `kubernetes-models/${resource.apiVersion}/${resource.kind}`;
}

function describe(resource: Resource): string {
  return `${resource.kind}/${resource.metadata.name}`;
}

async function validateBuiltIn(resource: Resource): Promise<string[]> {
  let model: Record<string, unknown>;
  try {
    model = (await import(modelModule(resource))) as Record<string, unknown>;
  } catch {
    return [`${describe(resource)}: ${resource.apiVersion} ${resource.kind} is not a Kubernetes API kind (no schema in kubernetes-models)`];
  }
  const Model = model[resource.kind] as (new (data: unknown) => { validate(): void }) | undefined;
  if (typeof Model !== 'function') return [`${describe(resource)}: no model class ${resource.kind}`];
  try {
    new Model(resource.raw).validate();
    return [];
  } catch (error) {
    return [`${describe(resource)}: ${(error as Error).message}`];
  }
}

/**
 * Unknown-field check: the OpenAPI schema does not forbid extra properties, so a misspelt field
 * (`readinesProbe`) would pass. Each resource is written as an object literal typed with its
 * kubernetes-models interface; TypeScript's excess-property check then names every unknown field.
 */
function checkUnknownFields(resources: { overlay: string; resource: Resource }[]): string[] {
  const fileName = join(ROOT, '__validate-deploy-resources__.ts');
  const lines: string[] = [];
  // Zero-based line where each resource's literal starts, to name the resource a diagnostic is about.
  const owners: { line: number; label: string }[] = [];
  resources.forEach(({ overlay, resource }, index) => {
    lines.push(`import type { I${resource.kind} as T${index} } from '${modelModule(resource)}';`);
    owners.push({ line: lines.length, label: `${overlay}: ${describe(resource)}` });
    lines.push(...`export const r${index}: T${index} = ${JSON.stringify(resource.raw, null, 1)};`.split('\n'));
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, types: [], target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, shouldCreate) =>
    name === fileName ? ts.createSourceFile(name, source, languageVersion, true) : getSourceFile(name, languageVersion, onError, shouldCreate);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName);
  const diagnostics = [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)];
  return diagnostics.map((diagnostic) => {
    const line = sourceFile && diagnostic.start !== undefined ? sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line : 0;
    const owner = [...owners].reverse().find((o) => o.line <= line);
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
    return `${owner?.label ?? 'resource'}: ${text.length > 400 ? `${text.slice(0, 400)}...` : text}`;
  });
}

function get(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current) ? current[key as number] : current[key as string];
  }
  return current;
}

function asObject(value: Json | undefined): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

function asArray(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function labelsMatch(selector: JsonObject, labels: JsonObject): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|_KEY|DATABASE_URL)$/;

/** Stand-ins for Secret values, shaped as the services expect them, to run the config schemas. */
function secretStandIn(key: string): string {
  if (key.endsWith('DATABASE_URL')) return 'postgres://service:secret@postgres:5432/switchboard';
  if (key === 'CREDENTIALS_KEY') return Buffer.alloc(32, 7).toString('base64');
  if (key.endsWith('EMAIL')) return 'admin@example.com';
  if (key === 'REDIS_URL') return 'redis://:stand-in-password@redis:6379';
  // my.telegram.org app credentials: a numeric id and 32 hex characters.
  if (key === 'TELEGRAM_API_ID') return '1234567';
  if (key === 'TELEGRAM_API_HASH') return '0123456789abcdef0123456789abcdef';
  return 'stand-in-secret-value-0123456789abcdef';
}

async function checkReferences(overlay: string, resources: Resource[]): Promise<string[]> {
  const problems: string[] = [];
  const at = (resource: Resource): string => `${overlay}: ${describe(resource)}`;
  const byKind = (kind: string): Resource[] => resources.filter((r) => r.kind === kind);
  const workloads = resources.filter((r) => r.kind === 'Deployment' || r.kind === 'Job');
  const podLabels = workloads.map((w) => asObject(get(w.raw, 'spec', 'template', 'metadata', 'labels')));
  const configMaps = new Map(byKind('ConfigMap').map((c) => [c.metadata.name, asObject(get(c.raw, 'data'))]));
  const services = new Map(byKind('Service').map((s) => [s.metadata.name, s]));
  const deployments = new Map(byKind('Deployment').map((d) => [d.metadata.name, d]));

  for (const secret of byKind('Secret')) problems.push(`${at(secret)}: Secrets are never committed; reference them with secretKeyRef and create them out of band`);
  for (const [name, data] of configMaps) {
    for (const key of Object.keys(data)) if (SECRET_NAME.test(key)) problems.push(`${overlay}: ConfigMap/${name}: ${key} looks secret; put it in a Secret`);
  }

  for (const workload of workloads) {
    const spec = asObject(get(workload.raw, 'spec', 'template', 'spec'));
    for (const container of asArray(spec.containers).map(asObject)) {
      const env: Record<string, string> = {};
      for (const entry of asArray(container.env).map(asObject)) {
        const name = String(entry.name);
        const configRef = asObject(get(entry, 'valueFrom', 'configMapKeyRef'));
        const secretRef = asObject(get(entry, 'valueFrom', 'secretKeyRef'));
        if (typeof entry.value === 'string') {
          if (SECRET_NAME.test(name)) problems.push(`${at(workload)}: ${name} is inlined; use secretKeyRef`);
          env[name] = entry.value;
        } else if (configRef.name) {
          const data = configMaps.get(String(configRef.name));
          const value = data?.[String(configRef.key)];
          if (typeof value !== 'string') problems.push(`${at(workload)}: ${name} refers to ConfigMap ${String(configRef.name)} key ${String(configRef.key)}, which the build does not contain`);
          else env[name] = value;
        } else if (secretRef.name) {
          if (secretRef.optional !== true) env[name] = secretStandIn(name);
        }
      }
      const role = env.SERVICE;
      if (!role) problems.push(`${at(workload)}: container ${String(container.name)} sets no SERVICE role`);
      else problems.push(...(await checkServiceEnv(at(workload), role, env)));

      if (workload.kind === 'Deployment') {
        // Pods with their own dependencies (database, bus) must report them through /ready. The gateway's
        // /ready aggregates every subgraph, and using it would cascade one connector's outage to the API.
        const ownsDependencies = get(workload.raw, 'spec', 'template', 'metadata', 'labels', 'switchboard.io/data-access') === 'true';
        const readiness = get(container, 'readinessProbe', 'httpGet', 'path');
        if (ownsDependencies ? readiness !== '/ready' : readiness !== '/ready' && readiness !== '/health') {
          problems.push(`${at(workload)}: readinessProbe must GET /ready${ownsDependencies ? '' : ' or /health'}`);
        }
        if (get(container, 'livenessProbe', 'httpGet', 'path') !== '/health') problems.push(`${at(workload)}: livenessProbe must GET /health (never a dependency check)`);
        if (!get(container, 'resources', 'requests', 'cpu') || !get(container, 'resources', 'requests', 'memory')) problems.push(`${at(workload)}: resources.requests cpu and memory are required`);
        if (!get(container, 'resources', 'limits', 'memory')) problems.push(`${at(workload)}: resources.limits.memory is required`);
      }
      if (get(container, 'securityContext', 'allowPrivilegeEscalation') !== false) problems.push(`${at(workload)}: allowPrivilegeEscalation must be false`);
    }
    if (get(spec, 'securityContext', 'runAsNonRoot') !== true) problems.push(`${at(workload)}: runAsNonRoot must be true`);
    if (workload.kind === 'Deployment') {
      const grace = get(spec, 'terminationGracePeriodSeconds');
      if (typeof grace !== 'number' || grace < 30) problems.push(`${at(workload)}: terminationGracePeriodSeconds must be >= 30 (consumers drain on SIGTERM)`);
      const selector = asObject(get(workload.raw, 'spec', 'selector', 'matchLabels'));
      if (!labelsMatch(selector, asObject(get(workload.raw, 'spec', 'template', 'metadata', 'labels')))) problems.push(`${at(workload)}: selector does not match its pod labels`);
    }
  }

  for (const service of services.values()) {
    const selector = asObject(get(service.raw, 'spec', 'selector'));
    if (!podLabels.some((labels) => labelsMatch(selector, labels))) problems.push(`${at(service)}: selector matches no pod`);
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    if (!podLabels.some((labels) => labelsMatch(asObject(get(pdb.raw, 'spec', 'selector', 'matchLabels')), labels))) problems.push(`${at(pdb)}: selector matches no pod`);
  }
  for (const policy of byKind('NetworkPolicy')) {
    const selector = asObject(get(policy.raw, 'spec', 'podSelector', 'matchLabels'));
    if (Object.keys(selector).length > 0 && !podLabels.some((labels) => labelsMatch(selector, labels))) problems.push(`${at(policy)}: podSelector matches no pod`);
    const peers = [
      ...asArray(get(policy.raw, 'spec', 'ingress')).flatMap((rule) => asArray(get(rule, 'from'))),
      ...asArray(get(policy.raw, 'spec', 'egress')).flatMap((rule) => asArray(get(rule, 'to'))),
    ].map(asObject);
    for (const peer of peers) {
      const peerSelector = asObject(get(peer, 'podSelector', 'matchLabels'));
      // A pod peer without a namespaceSelector is in this namespace: it must be one of ours.
      if (!peer.namespaceSelector && Object.keys(peerSelector).length > 0 && !podLabels.some((labels) => labelsMatch(peerSelector, labels))) {
        problems.push(`${at(policy)}: peer podSelector ${JSON.stringify(peerSelector)} matches no pod`);
      }
      // A peer in another namespace must not carry our labels (kustomize commonLabels would add them).
      if (peer.namespaceSelector && Object.keys(peerSelector).some((key) => key.startsWith('app.kubernetes.io/part-of'))) {
        problems.push(`${at(policy)}: a peer in another namespace selects app.kubernetes.io/part-of, which its pods do not have`);
      }
    }
  }
  // The migration Job migrates each schema with its owner's credentials: every database Secret a
  // Deployment uses must reach the Job too, or a new service's schema would fail to migrate at rollout.
  const secretOf = (workload: Resource): string[] =>
    asArray(get(workload.raw, 'spec', 'template', 'spec', 'containers'))
      .flatMap((c) => asArray(get(c, 'env')))
      .filter((e) => /DATABASE_URL$/.test(String(get(e, 'name'))))
      .map((e) => String(get(e, 'valueFrom', 'secretKeyRef', 'name')));
  const migrateJobs = byKind('Job').filter((job) => asArray(get(job.raw, 'spec', 'template', 'spec', 'containers')).some((c) => asArray(get(c, 'env')).some((e) => get(e, 'name') === 'SERVICE' && get(e, 'value') === 'migrate')));
  const migrationSecrets = new Set(migrateJobs.flatMap(secretOf));
  for (const deployment of deployments.values()) {
    for (const secret of secretOf(deployment)) {
      if (migrateJobs.length > 0 && !migrationSecrets.has(secret)) problems.push(`${at(deployment)}: its database Secret ${secret} is not given to the migration Job (<SCHEMA>_DATABASE_URL)`);
    }
  }
  const scaled = new Map<string, string>();
  for (const scaler of [...byKind('HorizontalPodAutoscaler'), ...byKind('ScaledObject')]) {
    const target = String(get(scaler.raw, 'spec', 'scaleTargetRef', 'name'));
    const deployment = deployments.get(target);
    if (!deployment) problems.push(`${at(scaler)}: scaleTargetRef ${target} is not a Deployment of this build`);
    else if (get(deployment.raw, 'spec', 'replicas') !== undefined) problems.push(`${at(scaler)}: Deployment/${target} sets spec.replicas, which every apply would reset under the autoscaler`);
    if (scaled.has(target)) problems.push(`${at(scaler)}: Deployment/${target} is already scaled by ${scaled.get(target)}`);
    scaled.set(target, describe(scaler));
  }
  for (const ingress of byKind('Ingress')) {
    for (const path of asArray(get(ingress.raw, 'spec', 'rules')).flatMap((rule) => asArray(get(rule, 'http', 'paths')))) {
      const backend = asObject(get(path, 'backend', 'service'));
      const service = services.get(String(backend.name));
      const portName = get(backend, 'port', 'name');
      const portNumber = get(backend, 'port', 'number');
      const ports = asArray(get(service?.raw, 'spec', 'ports')).map(asObject);
      if (!service) problems.push(`${at(ingress)}: backend Service ${String(backend.name)} is not in the build`);
      else if (!ports.some((p) => (portName !== undefined && p.name === portName) || (portNumber !== undefined && p.port === portNumber))) {
        problems.push(`${at(ingress)}: Service ${String(backend.name)} has no port ${String(portName ?? portNumber)}`);
      }
    }
  }
  const topicNames = new Set<string>();
  for (const topic of byKind('KafkaTopic')) {
    const name = String(get(topic.raw, 'spec', 'topicName') ?? topic.metadata.name);
    if (topicNames.has(name)) problems.push(`${at(topic)}: topic ${name} is declared twice`);
    topicNames.add(name);
  }
  return problems;
}

function toResources(yamlText: string): Resource[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJSON() as JsonObject | null)
    .filter((raw): raw is JsonObject => raw !== null)
    .map((raw) => ({ apiVersion: String(raw.apiVersion), kind: String(raw.kind), metadata: asObject(raw.metadata) as unknown as Resource['metadata'], raw }));
}

async function checkKubernetes(): Promise<{ problems: string[]; skipped?: string; summary: string[] }> {
  const kubectl = tool(process.env.KUBECTL ?? 'kubectl', ['version', '--client'], 'Debian package kubernetes-client');
  if (!kubectl.path) return { problems: [], skipped: kubectl.missing, summary: [] };
  const problems: string[] = [];
  const summary: string[] = [];
  const builtIns: { overlay: string; resource: Resource }[] = [];
  const overlays = readdirSync(OVERLAYS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const overlay of overlays) {
    const build = run(kubectl.path, ['kustomize', join(OVERLAYS_DIR, overlay)]);
    if (!build.ok) {
      problems.push(`kubectl kustomize k8s/overlays/${overlay} failed:\n${build.stderr.trim()}`);
      continue;
    }
    const resources = toResources(build.stdout);
    const kinds = new Map<string, number>();
    for (const resource of resources) {
      kinds.set(resource.kind, (kinds.get(resource.kind) ?? 0) + 1);
      const crd = crdValidators.get(`${resource.apiVersion}/${resource.kind}`);
      if (crd) {
        if (!crd(resource.raw)) for (const error of crd.errors ?? []) problems.push(`${overlay}: ${describe(resource)}${error.instancePath}: ${error.message ?? 'invalid'}`);
      } else if (resource.apiVersion.includes('.') && !resource.apiVersion.includes('k8s.io/')) {
        problems.push(`${overlay}: ${describe(resource)}: custom resource ${resource.apiVersion} has no schema in CRD_SCHEMAS`);
      } else {
        problems.push(...(await validateBuiltIn(resource)).map((p) => `${overlay}: ${p}`));
        builtIns.push({ overlay, resource });
      }
    }
    problems.push(...(await checkReferences(overlay, resources)));
    summary.push(`${overlay}: ${resources.length} resources (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
  }
  problems.push(...checkUnknownFields(builtIns));
  return { problems, summary };
}

// ---------------------------------------------------------------------------------------------------------

/** Services with an entry point that a deploy target does not run yet: a note, not a failure. */
function coverageNotes(): string[] {
  const services = readdirSync(join(ROOT, 'services')).filter((name) => existsSync(join(ROOT, 'services', name, 'src', 'main.ts')));
  const compose = readFileSync(COMPOSE_FILE, 'utf8');
  const base = readdirSync(join(ROOT, 'k8s', 'base'));
  return services.flatMap((name) => [
    ...(new RegExp(`SERVICE: ${name}\\b`).test(compose) ? [] : [`services/${name} has a main.ts but no service in deploy/compose/docker-compose.yml`]),
    ...(base.includes(`${name}.yaml`) ? [] : [`services/${name} has a main.ts but no k8s/base/${name}.yaml`]),
  ]);
}

async function main(): Promise<void> {
  if (process.argv.includes('--write-topics')) {
    const problems = checkTopics(true);
    for (const p of problems) console.error(`  ✗ ${p}`);
    process.exit(problems.length > 0 ? 1 : 0);
  }
  let failed = false;
  const report = (name: string, result: { problems: string[]; skipped?: string; summary?: string[] }): void => {
    if (result.skipped) {
      if (integrationRequired) {
        failed = true;
        console.error(`✗ ${name}: REQUIRE_INTEGRATION=1 but ${result.skipped}`);
      } else {
        console.warn(`- ${name}: skipped, ${result.skipped}`);
      }
      return;
    }
    if (result.problems.length === 0) {
      console.log(`✓ ${name}`);
      for (const line of result.summary ?? []) console.log(`    ${line}`);
      return;
    }
    failed = true;
    console.error(`✗ ${name}`);
    for (const problem of result.problems) console.error(`    ${problem}`);
  };

  report('Kafka topics match libs/contracts and the partition plan', { problems: checkTopics(false) });
  report(`Dockerfile lint (dockerfile-utils + ${DOCKERFILE_RULES.length} hadolint-style rules)`, { problems: checkDockerfile() });
  report('image runs on production dependencies only (npm ci --omit=dev)', { problems: checkRuntimeDependencies() });
  report('docker-compose config (compose file parses; each service env passes its config schema)', await checkCompose());
  report('Kubernetes overlays build and validate (OpenAPI schema, unknown fields, CRD shapes, references)', await checkKubernetes());
  for (const note of coverageNotes()) console.warn(`  note: ${note}`);
  if (failed) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
