import { GraphApiError } from '@switchboard/service-kit';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { WhatsAppApiFactory, WhatsAppTemplate } from '../graph-api/whatsapp-cloud-api.client';
import { WhatsAppConnectionNotFoundError, WhatsAppCredentialsRejectedError } from './whatsapp-connection.errors';
import type { WhatsAppConnectionRecord, WhatsAppConnectionRepository } from './whatsapp-connection.repository';
import { verifyTokenHash, type WhatsAppCredentialsVault } from './whatsapp-credentials.vault';

const graphId = (field: string) => z.string().trim().regex(/^\d{5,20}$/, `${field} must be the numeric id Meta shows (5-20 digits)`);

/** Input of connectNumber / connectWhatsAppNumber, validated at the edge of both entry points. */
export const connectNumberInputSchema = z.object({
  phoneNumberId: graphId('phoneNumberId'),
  wabaId: graphId('wabaId'),
  accessToken: z.string().trim().min(20, 'accessToken is too short to be a Meta access token').max(2048),
  appSecret: z.string().trim().regex(/^[0-9a-f]{32}$/i, 'appSecret must be the 32 hex characters of the Meta app secret'),
  verifyToken: z
    .string()
    .trim()
    .min(16, 'verifyToken must be at least 16 characters (it guards the webhook handshake)')
    .max(256)
    .regex(/^[\x21-\x7e]+$/, 'verifyToken may contain only printable ASCII without spaces'),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export type ConnectNumberInput = z.input<typeof connectNumberInputSchema>;

/** What callers see of a connection: never the token, the app secret or the verify token. */
export interface WhatsAppConnectionView {
  id: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber: string;
  verifiedName: string;
  displayName: string;
  state: WhatsAppConnectionRecord['state'];
  lastWebhookAt: Date | null;
  lastError: string | null;
}

export interface WhatsAppConnectionServiceDeps {
  repository: WhatsAppConnectionRepository;
  vault: WhatsAppCredentialsVault;
  api: WhatsAppApiFactory;
  logger: Logger;
}

/** Connecting, listing and disconnecting numbers, and reading their templates. */
export class WhatsAppConnectionService {
  constructor(private readonly deps: WhatsAppConnectionServiceDeps) {}

  /**
   * Checks the credentials against the Graph API (the number exists and the token may read it; the number
   * belongs to the WABA), then stores them encrypted. Reconnecting a number keeps its connection id.
   */
  async connectNumber(rawInput: ConnectNumberInput): Promise<WhatsAppConnectionView> {
    const input = connectNumberInputSchema.parse(rawInput);
    const api = this.deps.api({ accessToken: input.accessToken, appSecret: input.appSecret });
    const number = await rejectAsInput(() => api.getPhoneNumber(input.phoneNumberId), 'phoneNumberId');
    const wabaNumbers = await rejectAsInput(() => api.listPhoneNumbers(input.wabaId), 'wabaId');
    if (!wabaNumbers.some((n) => n.id === input.phoneNumberId)) {
      throw new WhatsAppCredentialsRejectedError(`Phone number ${input.phoneNumberId} does not belong to WhatsApp Business Account ${input.wabaId}`, 'wabaId');
    }
    const existing = await this.deps.repository.findByPhoneNumberId(input.phoneNumberId);
    const connection = await this.deps.repository.upsert({
      id: existing?.id ?? randomUUID(),
      phoneNumberId: input.phoneNumberId,
      wabaId: input.wabaId,
      displayPhoneNumber: number.display_phone_number,
      verifiedName: number.verified_name,
      displayName: input.displayName ?? existing?.displayName ?? (number.verified_name || number.display_phone_number),
      ...this.deps.vault.seal({ accessToken: input.accessToken, appSecret: input.appSecret }, input.phoneNumberId),
      verifyTokenSha256: verifyTokenHash(input.verifyToken),
    });
    this.deps.logger.info({ connectionId: connection.id, phoneNumberId: input.phoneNumberId }, 'whatsapp number connected');
    return toView(connection);
  }

  async disconnectNumber(id: string): Promise<WhatsAppConnectionView> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new WhatsAppConnectionNotFoundError(id);
    await this.deps.repository.setState(id, 'disconnected', null);
    this.deps.logger.info({ connectionId: id }, 'whatsapp number disconnected');
    return toView({ ...connection, state: 'disconnected', lastError: null });
  }

  async listConnections(): Promise<WhatsAppConnectionView[]> {
    return (await this.deps.repository.list()).map(toView);
  }

  async findConnection(id: string): Promise<WhatsAppConnectionView | undefined> {
    const connection = await this.deps.repository.findById(id);
    return connection ? toView(connection) : undefined;
  }

  /** The number's message templates as Meta has them (approved or not; callers filter by status). */
  async listTemplates(id: string): Promise<WhatsAppTemplate[]> {
    const connection = await this.deps.repository.findById(id);
    if (!connection) throw new WhatsAppConnectionNotFoundError(id);
    try {
      return await this.deps.api(this.deps.vault.open(connection)).listTemplates(connection.wabaId);
    } catch (error) {
      if (error instanceof GraphApiError && error.code === 190) {
        await this.deps.repository.markTokenInvalid(id, `Access token rejected by Meta: ${error.message}`);
      }
      throw error;
    }
  }
}

/** Meta's 4xx answers while connecting are the admin's input problem (BAD_USER_INPUT), not ours. */
async function rejectAsInput<T>(call: () => Promise<T>, field: 'phoneNumberId' | 'wabaId'): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof GraphApiError && error.httpStatus < 500) {
      if (error.code === 190) throw new WhatsAppCredentialsRejectedError(`Meta rejected the access token: ${error.graphMessage}`, 'accessToken');
      throw new WhatsAppCredentialsRejectedError(`Meta rejected ${field}: ${error.message}`, field);
    }
    throw error;
  }
}

function toView(connection: WhatsAppConnectionRecord): WhatsAppConnectionView {
  return {
    id: connection.id,
    phoneNumberId: connection.phoneNumberId,
    wabaId: connection.wabaId,
    displayPhoneNumber: connection.displayPhoneNumber,
    verifiedName: connection.verifiedName,
    displayName: connection.displayName,
    state: connection.state,
    lastWebhookAt: connection.lastWebhookAt,
    lastError: connection.lastError,
  };
}
