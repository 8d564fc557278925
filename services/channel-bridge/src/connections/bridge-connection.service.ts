import { recordAuditEntry, type AuditEntryInput } from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CHANNEL_BRIDGE_SCHEMA } from '../channel-bridge.config';
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

/** Who made an admin change, for its audit entry (decision 0027). */
export type BridgeAudit = Pick<AuditEntryInput, 'actor' | 'correlationId'>;

/** The audit entries' target type for a bridge. */
export const BRIDGE_AUDIT_TARGET = 'bridge-connection';

/**
 * Connecting, listing, rotating and disconnecting bridges. Each change is a database write, so its audit
 * entry is written in the same transaction: the entry exists if and only if the change committed.
 */
export class BridgeConnectionService {
  constructor(private readonly deps: { repository: BridgeConnectionRepository; secrets: BridgeSecretVault; logger: Logger }) {}

  async connect(rawInput: ConnectBridgeInput, audit: BridgeAudit): Promise<BridgeConnectionWithSecret> {
    const input = connectBridgeInputSchema.parse(rawInput);
    const id = randomUUID();
    const secret = this.deps.secrets.generate();
    const record = await this.deps.repository.transaction(async (db) => {
      const inserted = await this.deps.repository.insert(
        { id, name: input.name, outboundUrl: input.outboundUrl, secretCiphertext: this.deps.secrets.seal(secret, id) },
        db,
      );
      await recordAuditEntry(db, CHANNEL_BRIDGE_SCHEMA, {
        ...audit,
        action: 'connection.connect',
        target: { type: BRIDGE_AUDIT_TARGET, id },
        details: { name: inserted.name, outboundUrl: withoutCredentials(inserted.outboundUrl) },
      });
      return inserted;
    });
    this.deps.logger.info({ connectionId: id, name: input.name }, 'bridge connected');
    return { connection: toView(record), secret };
  }

  /** A new secret at once: requests signed with the old one are refused from now on. */
  async rotateSecret(id: string, audit: BridgeAudit): Promise<BridgeConnectionWithSecret> {
    const secret = this.deps.secrets.generate();
    const record = await this.deps.repository.transaction(async (db) => {
      const updated = await this.deps.repository.replaceSecret(id, this.deps.secrets.seal(secret, id), db);
      if (!updated) throw new BridgeConnectionNotFoundError(id);
      // The secret itself never lands in the log: the entry says only that it changed.
      await recordAuditEntry(db, CHANNEL_BRIDGE_SCHEMA, { ...audit, action: 'connection.rotate-secret', target: { type: BRIDGE_AUDIT_TARGET, id }, details: { name: updated.name } });
      return updated;
    });
    this.deps.logger.info({ connectionId: id }, 'bridge secret rotated');
    return { connection: toView(record), secret };
  }

  async disconnect(id: string, audit: BridgeAudit): Promise<BridgeConnectionView> {
    const record = await this.deps.repository.transaction(async (db) => {
      const updated = await this.deps.repository.disconnect(id, db);
      if (!updated) throw new BridgeConnectionNotFoundError(id);
      await recordAuditEntry(db, CHANNEL_BRIDGE_SCHEMA, { ...audit, action: 'connection.disconnect', target: { type: BRIDGE_AUDIT_TARGET, id }, details: { name: updated.name } });
      return updated;
    });
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

/** A partner URL as the audit log keeps it: user info and query (where partners put access tokens) left out. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
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
