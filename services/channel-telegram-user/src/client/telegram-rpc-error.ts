/**
 * A failure Telegram answered (an RPC error), in the shape the port promises: Telegram's error name
 * ("PHONE_CODE_INVALID", "FLOOD_WAIT", ...), its numeric code, and the wait for FLOOD_WAIT/SLOWMODE_WAIT.
 * The GramJS adapter converts the library's errors into this; the test double throws the same shape.
 */
export class TelegramRpcError extends Error {
  constructor(
    readonly errorMessage: string,
    readonly code: number,
    readonly seconds?: number,
  ) {
    super(seconds !== undefined ? `${errorMessage} (wait ${seconds} s)` : errorMessage);
    this.name = 'TelegramRpcError';
  }
}

export interface RpcErrorShape {
  errorMessage: string;
  code: number;
  seconds?: number;
}

/** Structural check: the double lives in libs/testing and cannot import this class. */
export function asRpcError(error: unknown): RpcErrorShape | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as Partial<RpcErrorShape>;
  if (typeof candidate.errorMessage !== 'string' || typeof candidate.code !== 'number') return undefined;
  return { errorMessage: candidate.errorMessage, code: candidate.code, ...(typeof candidate.seconds === 'number' ? { seconds: candidate.seconds } : {}) };
}

/** Seconds Telegram asks us to wait before this kind of request, when it is a flood wait. */
export function floodWaitSeconds(error: unknown): number | undefined {
  const rpc = asRpcError(error);
  if (!rpc) return undefined;
  if (rpc.errorMessage === 'FLOOD_WAIT' || rpc.errorMessage === 'SLOWMODE_WAIT' || rpc.errorMessage === 'FLOOD_PREMIUM_WAIT') return rpc.seconds ?? 0;
  return undefined;
}

/** Errors after which the stored session no longer works: the account must log in again. */
export const SESSION_DEAD_ERRORS: ReadonlySet<string> = new Set([
  'AUTH_KEY_UNREGISTERED',
  'AUTH_KEY_INVALID',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
  'USER_DEACTIVATED',
  'USER_DEACTIVATED_BAN',
  'AUTH_KEY_PERM_EMPTY',
]);

export function isSessionDead(error: unknown): boolean {
  const rpc = asRpcError(error);
  return rpc !== undefined && SESSION_DEAD_ERRORS.has(rpc.errorMessage);
}
