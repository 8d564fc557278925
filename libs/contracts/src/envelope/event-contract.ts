import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * Every record on the bus is an envelope: routing and tracing metadata around a versioned payload.
 * The wire name (`type` + `version`) is an explicit string constant, never a class name, so renaming
 * code can never break work that is already queued.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  time: z.iso.datetime({ offset: true }),
  producer: z.string().min(1),
  /** Partitioning key: every event about one chat carries the same key, which keeps per-chat order. */
  key: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1).optional(),
  data: z.unknown(),
});

export type Envelope<TData = unknown> = Omit<z.infer<typeof envelopeSchema>, 'data'> & { data: TData };

export interface EventContract<TType extends string, TSchema extends z.ZodType> {
  readonly type: TType;
  readonly version: number;
  /** `type` + `.v` + version: the name consumers dispatch on. */
  readonly wireName: `${TType}.v${number}`;
  readonly schema: TSchema;
  readonly description: string;
}

export function defineEvent<TType extends string, TSchema extends z.ZodType>(definition: {
  type: TType;
  version: number;
  schema: TSchema;
  description: string;
}): EventContract<TType, TSchema> {
  return { ...definition, wireName: `${definition.type}.v${definition.version}` };
}

export interface EnvelopeOrigin {
  producer: string;
  key: string;
  /** The envelope that caused this one: its correlation id is inherited and its id becomes the causation id. */
  cause?: Pick<Envelope, 'id' | 'correlationId'>;
  correlationId?: string;
  id?: string;
  time?: Date;
}

export function createEnvelope<TType extends string, TSchema extends z.ZodType>(
  contract: EventContract<TType, TSchema>,
  data: z.input<TSchema>,
  origin: EnvelopeOrigin,
): Envelope<z.output<TSchema>> {
  const id = origin.id ?? randomUUID();
  return {
    id,
    type: contract.type,
    version: contract.version,
    time: (origin.time ?? new Date()).toISOString(),
    producer: origin.producer,
    key: origin.key,
    correlationId: origin.cause?.correlationId ?? origin.correlationId ?? id,
    ...(origin.cause ? { causationId: origin.cause.id } : {}),
    // Validating on the way out means a producer bug fails at its source, not in every consumer.
    data: contract.schema.parse(data) as z.output<TSchema>,
  };
}

export class ContractViolationError extends Error {
  constructor(
    message: string,
    readonly issues: readonly z.core.$ZodIssue[] = [],
  ) {
    super(message);
    this.name = 'ContractViolationError';
  }
}

/** Decodes raw bytes into an envelope, throwing ContractViolationError with every issue when it is not one. */
export function decodeEnvelope(raw: Buffer | string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    throw new ContractViolationError(`Record is not JSON: ${(error as Error).message}`);
  }
  const result = envelopeSchema.safeParse(json);
  if (!result.success) {
    throw new ContractViolationError(`Record is not an event envelope: ${z.prettifyError(result.error)}`, result.error.issues);
  }
  return result.data as Envelope;
}

/** Validates an envelope's payload against the contract it claims to follow. */
export function parseEvent<TType extends string, TSchema extends z.ZodType>(
  contract: EventContract<TType, TSchema>,
  envelope: Envelope,
): Envelope<z.output<TSchema>> {
  if (envelope.type !== contract.type || envelope.version !== contract.version) {
    throw new ContractViolationError(
      `Expected ${contract.wireName} but got ${envelope.type}.v${envelope.version}`,
    );
  }
  const result = contract.schema.safeParse(envelope.data);
  if (!result.success) {
    throw new ContractViolationError(
      `Invalid ${contract.wireName} payload: ${z.prettifyError(result.error)}`,
      result.error.issues,
    );
  }
  return { ...envelope, data: result.data };
}

export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}
