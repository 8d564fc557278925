import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { BridgeConnectionNotFoundError } from './bridge-connection.errors';
import type { BridgeConnectionRecord, BridgeConnectionRepository } from './bridge-connection.repository';
import type { BridgeSecretVault } from './bridge-secret.vault';

/** Input of connectBridge, validated at the edge of every entry point. */
export const connectBridgeInputSchema = z.object({
  name: z.string().trim().min(1, 'name is required').max(200, 'name is at most 200 characters'),
  outboundUrl: z
    .url({ protocol: /^https?$/, message: 'outboundUrl must be an http(s) URL' })
    .max(2000, 'outboundUrl is at most 2000 characters'),
});
export type ConnectBridgeInput = z.input<typeof connectBridgeInputSchema>;

/** What callers see of a connection: never the secret. */
export interface BridgeConnectionView {
  id: string;
  name: string;
  outboundUrl: string;
  state: BridgeConnectionRecord['state'];
  /** Where the partner POSTs messages, relative to this service's base URL. */
  inboundPath: string;
  secretRotatedAt: Date;
  lastInboundAt: Date | null;
  createdAt: Date;
}

/** A connection together with its secret in clear: returned once, by connect and rotate only. */
export interface BridgeConnectionWithSecret {
  connection: BridgeConnectionView;
  secret: string;
}

export function inboundPathOf(connectionId: string): string {
  return `/bridge/v1/connections/${connectionId}/messages`;
}

/** Connecting, listing, rotating and disconnecting bridges. */
export class BridgeConnectionService {
  constructor(private readonly deps: { repository: BridgeConnectionRepository; secrets: BridgeSecretVault; logger: Logger }) {}

  async connect(rawInput: ConnectBridgeInput): Promise<BridgeConnectionWithSecret> {
    const input = connectBridgeInputSchema.parse(rawInput);
    const id = randomUUID();
    const secret = this.deps.secrets.generate();
    const record = await this.deps.repository.insert({
      id,
      name: input.name,
      outboundUrl: input.outboundUrl,
      secretCiphertext: this.deps.secrets.seal(secret, id),
    });
    this.deps.logger.info({ connectionId: id, name: input.name }, 'bridge connected');
    return { connection: toView(record), secret };
  }

  /** A new secret at once: requests signed with the old one are refused from now on. */
  async rotateSecret(id: string): Promise<BridgeConnectionWithSecret> {
    const secret = this.deps.secrets.generate();
    const record = await this.deps.repository.replaceSecret(id, this.deps.secrets.seal(secret, id));
    if (!record) throw new BridgeConnectionNotFoundError(id);
    this.deps.logger.info({ connectionId: id }, 'bridge secret rotated');
    return { connection: toView(record), secret };
  }

  async disconnect(id: string): Promise<BridgeConnectionView> {
    const record = await this.deps.repository.disconnect(id);
    if (!record) throw new BridgeConnectionNotFoundError(id);
    this.deps.logger.info({ connectionId: id }, 'bridge disconnected');
    return toView(record);
  }

  async list(): Promise<BridgeConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async find(id: string): Promise<BridgeConnectionView | undefined> {
    const record = await this.deps.repository.findById(id);
    return record ? toView(record) : undefined;
  }
}

function toView(record: BridgeConnectionRecord): BridgeConnectionView {
  return {
    id: record.id,
    name: record.name,
    outboundUrl: record.outboundUrl,
    state: record.state,
    inboundPath: inboundPathOf(record.id),
    secretRotatedAt: record.secretRotatedAt,
    lastInboundAt: record.lastInboundAt,
    createdAt: record.createdAt,
  };
}
