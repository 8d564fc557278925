import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { asRpcError } from '../client/telegram-rpc-error';
import type { TelegramUserClient, TelegramUserClientFactory, TlUser } from '../client/telegram-user-client.port';
import type { TelegramUserConnectionRecord, TelegramUserConnectionRepository } from '../connections/connection.repository';
import type { SessionVault } from '../connections/session.vault';
import { displayNameOf } from '../inbound/telegram-user.profile';
import { LOGIN_ERROR_TEXT, TelegramUserApiNotConfiguredError, TelegramUserLoginError, TelegramUserLoginNotFoundError } from './login.errors';
import type { LoginRecord, LoginRepository } from './login.repository';

export const startLoginInputSchema = z.object({
  // International format; spaces, dashes and brackets as people type them are dropped.
  phone: z
    .string()
    .transform((p) => p.replace(/[\s()-]/g, ''))
    .pipe(z.string().regex(/^\+?[1-9][0-9]{6,14}$/, 'phone must be an international number, e.g. +380501234567')),
  displayName: z.string().trim().min(1).max(200).optional(),
});
export const submitCodeInputSchema = z.object({
  loginId: z.uuid('loginId must be the id startTelegramUserLogin returned'),
  code: z.string().trim().regex(/^[0-9]{4,8}$/, 'code is the 4-8 digits Telegram sent'),
});
export const submitPasswordInputSchema = z.object({
  loginId: z.uuid('loginId must be the id startTelegramUserLogin returned'),
  password: z.string().min(1, 'password is required').max(256),
});

/** Where a login stands after a step: waiting for the code or the password, or done with the connection. */
export type LoginView =
  | { id: string; phone: string; step: 'code'; codeDelivery: string; expiresAt: Date }
  | { id: string; phone: string; step: 'password'; passwordHint: string | null; expiresAt: Date }
  | { id: string; phone: string; step: 'done'; connection: TelegramUserConnectionRecord };

export interface LoginServiceDeps {
  dataSource: DataSource;
  logins: LoginRepository;
  connections: TelegramUserConnectionRepository;
  sessions: SessionVault;
  /** Undefined when the deployment has no api_id/api_hash. */
  clientFactory: TelegramUserClientFactory | undefined;
  loginTtlMinutes: number;
  /** Told when an account was connected, so a live client starts at once. */
  onConnected: (connectionId: string) => void;
  logger: Logger;
}

/**
 * The admin's login: phone -> code -> (two-step verification password). Each step may land on any instance:
 * the login's fresh session (its auth key, to which Telegram binds the code) is stored encrypted between steps.
 */
export class TelegramUserLoginService {
  constructor(private readonly deps: LoginServiceDeps) {}

  async start(input: z.input<typeof startLoginInputSchema>): Promise<LoginView> {
    const { phone, displayName } = startLoginInputSchema.parse(input);
    const normalisedPhone = phone.startsWith('+') ? phone : `+${phone}`;
    const id = randomUUID();
    const sent = await this.withClient('', async (client) => ({ code: await client.sendCode(normalisedPhone), session: client.exportSession() }));
    const expiresAt = new Date(Date.now() + this.deps.loginTtlMinutes * 60_000);
    const login: LoginRecord = {
      id,
      phone: normalisedPhone,
      displayName: displayName ?? null,
      step: 'code',
      phoneCodeHash: sent.code.phoneCodeHash,
      codeDelivery: sent.code.delivery,
      passwordHint: null,
      sessionCiphertext: this.deps.sessions.sealForLogin(sent.session, id),
      expiresAt,
    };
    await this.deps.logins.insert(login);
    this.deps.logger.info({ loginId: id, delivery: sent.code.delivery }, 'telegram user login started; code sent');
    return { id, phone: normalisedPhone, step: 'code', codeDelivery: sent.code.delivery, expiresAt };
  }

  async submitCode(input: z.input<typeof submitCodeInputSchema>): Promise<LoginView> {
    const { loginId, code } = submitCodeInputSchema.parse(input);
    const login = await this.liveLogin(loginId, 'code');
    return this.withClient(this.deps.sessions.openForLogin(login.sessionCiphertext, login.id), async (client) => {
      let user: TlUser;
      try {
        user = await client.signIn({ phone: login.phone, phoneCodeHash: login.phoneCodeHash, code });
      } catch (error) {
        if (asRpcError(error)?.errorMessage !== 'SESSION_PASSWORD_NEEDED') throw error;
        const hint = (await client.getPasswordHint()) ?? null;
        await this.deps.logins.movedToPassword(login.id, hint, this.deps.sessions.sealForLogin(client.exportSession(), login.id));
        return { id: login.id, phone: login.phone, step: 'password' as const, passwordHint: hint, expiresAt: login.expiresAt };
      }
      return this.finish(login, client, user);
    });
  }

  async submitPassword(input: z.input<typeof submitPasswordInputSchema>): Promise<LoginView> {
    const { loginId, password } = submitPasswordInputSchema.parse(input);
    const login = await this.liveLogin(loginId, 'password');
    return this.withClient(this.deps.sessions.openForLogin(login.sessionCiphertext, login.id), async (client) =>
      this.finish(login, client, await client.checkPassword(password)),
    );
  }

  private async liveLogin(id: string, step: LoginRecord['step']): Promise<LoginRecord> {
    const login = await this.deps.logins.findLive(id);
    if (!login) throw new TelegramUserLoginNotFoundError(id, 'does not exist or has expired');
    if (login.step !== step) throw new TelegramUserLoginNotFoundError(id, `is waiting for the ${login.step}, not the ${step}`);
    return login;
  }

  /** Stores the account with the now-authorised session (encrypted) and forgets the login, in one transaction. */
  private async finish(login: LoginRecord, client: TelegramUserClient, user: TlUser): Promise<LoginView> {
    const accountUserId = user.id.toString();
    const existing = await this.deps.connections.findByAccountUserId(accountUserId);
    const id = existing?.id ?? randomUUID();
    const session = client.exportSession();
    const connection = await this.deps.dataSource.transaction(async (manager) => {
      const stored = await this.deps.connections.upsert(manager, {
        id,
        accountUserId,
        phone: user.phone ? `+${user.phone.replace(/^\+/, '')}` : login.phone,
        username: user.username ?? null,
        displayName: login.displayName ?? existing?.displayName ?? displayNameOf(user),
        sessionCiphertext: this.deps.sessions.sealForConnection(session, id),
      });
      await this.deps.logins.delete(manager, login.id);
      return stored;
    });
    this.deps.logger.info({ connectionId: id, loginId: login.id }, 'telegram user account connected');
    this.deps.onConnected(id);
    return { id: login.id, phone: login.phone, step: 'done', connection };
  }

  /** A short-lived client for one step; Telegram's refusals become typed login errors. */
  private async withClient<T>(session: string, step: (client: TelegramUserClient) => Promise<T>): Promise<T> {
    if (!this.deps.clientFactory) throw new TelegramUserApiNotConfiguredError();
    const client = this.deps.clientFactory(session);
    try {
      await client.connect();
      return await step(client);
    } catch (error) {
      const rpc = asRpcError(error);
      if (!rpc) throw error;
      const text = LOGIN_ERROR_TEXT[rpc.errorMessage] ?? `Telegram refused the login step (${rpc.errorMessage})`;
      const wait = rpc.seconds !== undefined ? ` (${rpc.seconds} s)` : '';
      throw new TelegramUserLoginError(rpc.errorMessage, `${text}${wait}`, rpc.seconds);
    } finally {
      await client.disconnect();
    }
  }
}
