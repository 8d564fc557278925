import { profileLinks } from '../src/details/crm-profiles';
import { MAX_NOTICES, newChatNotice, noticesReducer, reminderNotice, type Notice } from '../src/notify/notices';

describe('notices of reminders and new chats', () => {
  const fired = (data: unknown, reminderId = 'r1', cursor = '7') => ({
    cursor,
    type: 'tasks.reminder-fired',
    reminderId,
    occurredAt: '2026-12-01T10:00:00.000Z',
    data: JSON.stringify(data),
  });

  it('turns a fired reminder into a notice about its chat, one per firing', () => {
    const notice = reminderNotice(fired({ text: 'Передзвонити Оксані', firing: 2, chat: { chatId: 'c1', chatNumber: 12 } }));
    expect(notice).toEqual({ key: 'reminder:r1:2', kind: 'reminder', text: 'Передзвонити Оксані', chatId: 'c1', chatNumber: 12 });
    expect(reminderNotice(fired({ text: 'Без чату', firing: 1 }))).toMatchObject({ chatId: null, chatNumber: null, text: 'Без чату' });
  });

  it('ignores the start marker and other event types', () => {
    expect(reminderNotice({ cursor: '1', type: 'subscription.started', reminderId: null, occurredAt: '2026-12-01T10:00:00.000Z', data: null })).toBeNull();
    expect(newChatNotice({ cursor: '2', type: 'chat.message-added', chatId: 'c1', occurredAt: '2026-12-01T10:00:00.000Z', data: '{}' })).toBeNull();
  });

  it('turns chat.created into a new-chat notice with the number and customer', () => {
    const data = JSON.stringify({ chatId: 'c9', chatNumber: 9, customer: { customerId: 'u1', displayName: 'Оксана Коваль' } });
    expect(newChatNotice({ cursor: '3', type: 'chat.created', chatId: 'c9', occurredAt: '2026-12-01T10:00:00.000Z', data })).toEqual({
      key: 'chat:c9',
      kind: 'chat',
      chatId: 'c9',
      chatNumber: 9,
      customer: 'Оксана Коваль',
    });
  });

  it('reports event data that is not JSON and still notifies', () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const notice = reminderNotice({ ...fired({}), data: '{not json' });
    expect(notice).toMatchObject({ kind: 'reminder', text: '' });
    expect(error).toHaveBeenCalledWith('live event data is not JSON', expect.any(SyntaxError));
    error.mockRestore();
  });

  it('shows the newest first, each notice once, at most a few, and dismisses one', () => {
    const chat = (n: number): Notice => ({ key: `chat:c${n}`, kind: 'chat', chatId: `c${n}`, chatNumber: n, customer: null });
    let notices: readonly Notice[] = [];
    for (let n = 1; n <= MAX_NOTICES + 2; n++) notices = noticesReducer(notices, { type: 'add', notice: chat(n) });
    expect(notices.map((notice) => notice.chatNumber)).toEqual([7, 6, 5, 4, 3]);
    expect(noticesReducer(notices, { type: 'add', notice: chat(5) })).toBe(notices);
    expect(noticesReducer(notices, { type: 'dismiss', key: 'chat:c6' }).map((notice) => notice.chatNumber)).toEqual([7, 5, 4, 3]);
  });
});

describe('social profiles on the CRM card', () => {
  it('links only http(s) profiles, shows handles, and drops duplicates', () => {
    expect(
      profileLinks([
        { kind: 'telegram', handle: 'oksana_k', url: 'https://t.me/oksana_k' },
        { kind: 'telegram', handle: 'oksana_k', url: 'https://t.me/oksana_k' },
        { kind: 'facebook', handle: null, url: 'javascript:alert(1)' },
        { kind: 'viber', handle: null, url: null },
      ]),
    ).toEqual([
      { key: 'telegram|oksana_k|https://t.me/oksana_k', text: 'telegram: @oksana_k', href: 'https://t.me/oksana_k' },
      { key: 'facebook||', text: 'javascript:alert(1)', href: null },
      { key: 'viber||', text: 'viber', href: null },
    ]);
  });
});
