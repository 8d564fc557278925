import { EMPTY_FILTERS, formatChatFilters, parseChatFilters, toChatFilterVariables, toggleChoice, type ChatFilterState } from '../src/routing/chat-filters';

describe('chat list filters in the URL', () => {
  const filters: ChatFilterState = {
    channels: ['VIBER', 'TELEGRAM'],
    type: 'UNANSWERED',
    operatorIds: ['e2', 'e1'],
    statusCodes: ['new', 'in_progress'],
    search: '  замовлення №1042 ',
    expanded: true,
  };

  it('round-trips every filter through the query string', () => {
    expect(parseChatFilters(formatChatFilters(filters))).toEqual({
      ...filters,
      channels: ['TELEGRAM', 'VIBER'],
      operatorIds: ['e1', 'e2'],
      statusCodes: ['in_progress', 'new'],
      search: 'замовлення №1042',
    });
  });

  it('gives one view one link, whatever order the choices were made in', () => {
    const reordered = { ...filters, channels: [...filters.channels].reverse(), operatorIds: [...filters.operatorIds].reverse() };
    expect(formatChatFilters(reordered)).toBe(formatChatFilters(filters));
    expect(formatChatFilters(filters)).toBe(
      '?channels=TELEGRAM%2CVIBER&type=UNANSWERED&operators=e1%2Ce2&statuses=in_progress%2Cnew&q=%D0%B7%D0%B0%D0%BC%D0%BE%D0%B2%D0%BB%D0%B5%D0%BD%D0%BD%D1%8F+%E2%84%961042&filters=1',
    );
  });

  it('leaves defaults out of the URL', () => {
    expect(formatChatFilters(EMPTY_FILTERS)).toBe('');
    expect(parseChatFilters('')).toEqual(EMPTY_FILTERS);
  });

  it('drops unknown messengers and types from hand-edited links instead of sending them to the API', () => {
    expect(parseChatFilters('?channels=telegram,ICQ,,viber&type=SOMETHING')).toMatchObject({ channels: ['TELEGRAM', 'VIBER'], type: 'ALL' });
  });

  it('accepts repeated parameters and removes duplicates', () => {
    expect(parseChatFilters('?statuses=new&statuses=new,closed').statusCodes).toEqual(['new', 'closed']);
  });

  it('turns the state into ChatFilter variables, leaving out empty choices (an empty list would match nothing)', () => {
    expect(toChatFilterVariables(EMPTY_FILTERS)).toEqual({ type: 'ALL' });
    expect(toChatFilterVariables(filters)).toEqual({
      channels: ['VIBER', 'TELEGRAM'],
      type: 'UNANSWERED',
      operatorIds: ['e2', 'e1'],
      statusCodes: ['new', 'in_progress'],
      search: 'замовлення №1042',
    });
    expect(toChatFilterVariables({ ...EMPTY_FILTERS, search: '   ' })).not.toHaveProperty('search');
  });

  it('toggles one choice of a multi-choice filter', () => {
    expect(toggleChoice(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggleChoice(['b'], 'a')).toEqual(['b', 'a']);
  });
});
