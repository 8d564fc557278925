import { Api, errors } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { UpdateConnectionState } from 'telegram/network';
import { gramJsClientFactory, toClientEvent, toRpcError } from '../src/client/gramjs-telegram-user.client';
import { TelegramRpcError, floodWaitSeconds } from '../src/client/telegram-rpc-error';

/** The adapter's conversions, fed with what GramJS itself produces (no network). */
describe('GramJS adapter', () => {
  it('passes handled updates on with the users GramJS attached, and drops the rest', () => {
    const user = new Api.User({ id: returnBigInt('6011223344'), accessHash: returnBigInt('-4242'), firstName: 'Оксана' });
    const update = new Api.UpdateNewMessage({
      message: new Api.Message({ id: 7, peerId: new Api.PeerUser({ userId: returnBigInt('6011223344') }), date: 1, message: 'hi' }),
      pts: 1,
      ptsCount: 1,
    });
    // What GramJS's _processUpdate does with the users and chats of an Updates container.
    Object.assign(update, { _entities: new Map<string, unknown>([['6011223344', user], ['-100', new Api.Chat({ id: returnBigInt(100), title: 'g', photo: new Api.ChatPhotoEmpty(), participantsCount: 1, date: 1, version: 1 })]]) });
    const event = toClientEvent(update);
    expect(event).toMatchObject({ kind: 'update', update: { className: 'UpdateNewMessage' } });
    expect(event?.kind === 'update' && event.users.map((u) => [u.id.toString(), u.accessHash?.toString()])).toEqual([['6011223344', '-4242']]);
    expect(toClientEvent(new Api.UpdateUserStatus({ userId: returnBigInt(1), status: new Api.UserStatusOnline({ expires: 1 }) }))).toBeUndefined();
    expect(toClientEvent(new Api.UpdateShortMessage({ id: 1, userId: returnBigInt(2), message: 'x', pts: 1, ptsCount: 1, date: 1 }))?.kind).toBe('update');
  });

  it('reports connection changes', () => {
    expect(toClientEvent(new UpdateConnectionState(UpdateConnectionState.disconnected))).toEqual({ kind: 'connection', state: 'disconnected' });
    expect(toClientEvent(new UpdateConnectionState(UpdateConnectionState.connected))).toEqual({ kind: 'connection', state: 'connected' });
  });

  it("converts GramJS's errors into the port's: flood waits keep their seconds", () => {
    const flood = toRpcError(new errors.FloodWaitError({ request: undefined as never, capture: 35 }));
    expect(flood).toEqual(new TelegramRpcError('FLOOD_WAIT', 420, 35));
    expect(floodWaitSeconds(flood)).toBe(35);
    expect(toRpcError(new errors.RPCError('PHONE_CODE_INVALID', undefined as never, 400))).toMatchObject({ errorMessage: 'PHONE_CODE_INVALID', code: 400 });
    expect(floodWaitSeconds(toRpcError(new errors.RPCError('FLOOD_PREMIUM_WAIT_12', undefined as never, 420)))).toBe(12);
    const network = new Error('socket hang up');
    expect(toRpcError(network)).toBe(network);
  });

  it('builds a client without connecting; a new one has no session to store yet', async () => {
    const client = gramJsClientFactory({ apiId: 1, apiHash: '0123456789abcdef0123456789abcdef' })('');
    expect(client.exportSession()).toBe('');
    await client.disconnect();
  });
});
