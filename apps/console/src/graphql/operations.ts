import { graphql, type ResultOf } from './graphql';

/*
 * Every operation the console sends. Result and variable types are inferred from the schema by gql.tada;
 * none is written by hand.
 */

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) { accessToken expiresAt employee { id name role } }
  }
`);

/** What the filter bar offers: statuses, employees (operators) and who I am. */
export const InboxReferenceQuery = graphql(`
  query InboxReference {
    me { id name role }
    chatStatuses { code name position isClosed }
    employees { id name role active }
  }
`);

export const ChatsQuery = graphql(`
  query Chats($filter: ChatFilter, $first: Int, $after: String) {
    chats(filter: $filter, first: $first, after: $after) {
      totalCount
      counts { all unassigned assignedToMe unanswered }
      edges {
        cursor
        node {
          id number unanswered unreadCount lastMessageAt lastMessagePreview
          source { channel connectionId displayName }
          customer { id displayName username }
          status { code name isClosed }
          operators { id name }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);
export type ChatRow = ResultOf<typeof ChatsQuery>['chats']['edges'][number]['node'];
export type ChatListCounts = ResultOf<typeof ChatsQuery>['chats']['counts'];

/** Everything the timeline shows of an item, whichever kind it is. */
export const TimelineItemFragment = graphql(`
  fragment TimelineItemFields on TimelineItem @_unmask {
    __typename
    ... on Message {
      id direction text sentAt editedAt deleted placeholder deliveryState
      failure { code message }
      author { id name }
      attachments { kind fileName mimeType sizeBytes caption }
    }
    ... on Note { id text createdAt author { id name } }
    ... on ActivityEntry { id type at actor { id name } fromStatus toStatus operators { id name } }
  }
`);
export type TimelineItem = ResultOf<typeof TimelineItemFragment>;

export const ChatQuery = graphql(
  `
  query Chat($id: ID!, $first: Int) {
    chat(id: $id) {
      id number unanswered unreadCount createdAt
      customer { id displayName username phone profileUrl }
      source { channel connectionId displayName }
      status { code name isClosed }
      operators { id name }
      replyWindow { freeTextAllowed until alternatives { kind tag until } }
      timeline(first: $first) {
        edges { node { ...TimelineItemFields } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
`,
  [TimelineItemFragment],
);
export type ChatDetails = NonNullable<ResultOf<typeof ChatQuery>['chat']>;

/** C5 "Пошук" inside one chat: matching messages and notes with highlighted fragments. */
export const SearchInChatQuery = graphql(`
  query SearchInChat($chatId: ID!, $query: String!) {
    chat(id: $chatId) {
      id
      searchTimeline(query: $query, first: 50) {
        edges {
          node {
            item { __typename ... on Message { id sentAt } ... on Note { id createdAt } ... on ActivityEntry { id at } }
            fragment { text ranges { start length } }
          }
        }
      }
    }
  }
`);
export type TimelineSearchHit = NonNullable<ResultOf<typeof SearchInChatQuery>['chat']>['searchTimeline']['edges'][number]['node'];

/** The jump to a search hit: the item with the items around it, oldest first. */
export const TimelineAroundQuery = graphql(
  `
  query TimelineAround($chatId: ID!, $itemId: ID!) {
    chat(id: $chatId) { id timelineAround(itemId: $itemId, radius: 10) { ...TimelineItemFields } }
  }
`,
  [TimelineItemFragment],
);

export const SendMessageMutation = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) { message { id deliveryState sentAt } }
  }
`);

export const AddNoteMutation = graphql(`
  mutation AddNote($chatId: ID!, $text: String!) {
    addNote(chatId: $chatId, text: $text) { note { id text createdAt } }
  }
`);

export const ChangeChatStatusMutation = graphql(`
  mutation ChangeChatStatus($chatId: ID!, $statusCode: String!) {
    changeChatStatus(chatId: $chatId, statusCode: $statusCode) { chat { id status { code name isClosed } } }
  }
`);

export const TakeChatIntoWorkMutation = graphql(`
  mutation TakeChatIntoWork($chatId: ID!) {
    takeChatIntoWork(chatId: $chatId) { chat { id status { code name isClosed } operators { id name } } }
  }
`);

export const EndChatMutation = graphql(`
  mutation EndChat($chatId: ID!) {
    endChat(chatId: $chatId) { chat { id status { code name isClosed } } }
  }
`);

export const LeaveChatMutation = graphql(`
  mutation LeaveChat($chatId: ID!) {
    leaveChat(chatId: $chatId) { chat { id operators { id name } } }
  }
`);

export const AssignChatOperatorsMutation = graphql(`
  mutation AssignChatOperators($chatId: ID!, $operatorIds: [ID!]!) {
    assignChatOperators(chatId: $chatId, operatorIds: $operatorIds) { chat { id operators { id name } } }
  }
`);

export const AddChatOperatorsMutation = graphql(`
  mutation AddChatOperators($chatId: ID!, $operatorIds: [ID!]!) {
    addChatOperators(chatId: $chatId, operatorIds: $operatorIds) { chat { id operators { id name } } }
  }
`);

export const DeleteChatMutation = graphql(`
  mutation DeleteChat($chatId: ID!) {
    deleteChat(chatId: $chatId) { deletedChatId }
  }
`);

export const MarkChatReadMutation = graphql(`
  mutation MarkChatRead($chatId: ID!) {
    markChatRead(chatId: $chatId) { chat { id unreadCount } }
  }
`);

export const CannedAnswersQuery = graphql(`
  query CannedAnswers($query: String) {
    cannedAnswers(query: $query) { id shortcode title body shared }
  }
`);

export const RenderCannedAnswerQuery = graphql(`
  query RenderCannedAnswer($id: ID!, $chatId: ID!) {
    renderCannedAnswer(id: $id, chatId: $chatId) { text missingVariables }
  }
`);

export const ChatEventsSubscription = graphql(`
  subscription ChatEvents($after: String) {
    chatEvents(after: $after) { cursor type chatId occurredAt }
  }
`);
export type ChatLiveEvent = ResultOf<typeof ChatEventsSubscription>['chatEvents'];
