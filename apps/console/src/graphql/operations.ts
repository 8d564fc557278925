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
  query Chats($filter: ChatFilter, $first: Int, $after: String, $withCounts: Boolean!, $countsUpTo: Int) {
    chats(filter: $filter, first: $first, after: $after) {
      counts(upTo: $countsUpTo) @include(if: $withCounts) { all unassigned assignedToMe unanswered }
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
export type ChatListCounts = NonNullable<ResultOf<typeof ChatsQuery>['chats']['counts']>;

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

/** WhatsApp outside the 24-hour window: the number's approved templates, and sending one. */
export const WhatsAppTemplatesQuery = graphql(`
  query WhatsAppTemplates($connectionId: ID!) {
    whatsAppTemplates(connectionId: $connectionId, approvedOnly: true) { id name language category body bodyParameterCount }
  }
`);
export type WhatsAppTemplateChoice = ResultOf<typeof WhatsAppTemplatesQuery>['whatsAppTemplates'][number];

export const SendTemplateMessageMutation = graphql(`
  mutation SendTemplateMessage($input: SendTemplateMessageInput!) {
    sendTemplateMessage(input: $input) { message { id deliveryState sentAt } }
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

/** The operator is typing a reply (decision 0042): called throttled from the reply box, never for notes. */
export const ReportTypingMutation = graphql(`
  mutation ReportTyping($chatId: ID!) {
    reportTyping(chatId: $chatId)
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
    chatEvents(after: $after) { cursor type chatId occurredAt data }
  }
`);
export type ChatLiveEvent = ResultOf<typeof ChatEventsSubscription>['chatEvents'];

export const ReminderEventsSubscription = graphql(`
  subscription ReminderEvents($after: String) {
    reminderEvents(after: $after) { cursor type reminderId occurredAt data }
  }
`);
export type ReminderLiveEvent = ResultOf<typeof ReminderEventsSubscription>['reminderEvents'];

/** Who is typing in one chat, live (ephemeral: no cursor, nothing replayed). */
export const ChatTypingSubscription = graphql(`
  subscription ChatTyping($chatId: ID) {
    chatTyping(chatId: $chatId) { chatId activity occurredAt expiresAt who { kind id name } }
  }
`);
export type ChatTypingEvent = ResultOf<typeof ChatTypingSubscription>['chatTyping'];

/** C10: the chat's files (customers' media and uploads), for download links in the timeline. */
export const ChatFilesQuery = graphql(`
  query ChatFiles($chatId: ID!) {
    chat(id: $chatId) {
      id
      files(first: 100) {
        edges {
          node {
            id origin messageId attachmentIndex state failure fileName mimeType kind sizeBytes createdAt
            downloadUrl downloadUrlExpiresAt thumbnailUrl
            uploadedBy { id name }
          }
        }
      }
    }
  }
`);
export type ChatFile = NonNullable<ResultOf<typeof ChatFilesQuery>['chat']>['files']['edges'][number]['node'];

/** A fresh download link: links live minutes (decision 0025), the page may have been open longer. */
export const FileDownloadQuery = graphql(`
  query FileDownload($id: ID!) {
    file(id: $id) { id downloadUrl downloadUrlExpiresAt }
  }
`);

export const CreateFileUploadMutation = graphql(`
  mutation CreateFileUpload($chatId: ID!) {
    createFileUpload(chatId: $chatId) { uploadUrl expiresAt maxBytes }
  }
`);

/** D1: the CRM record the chat is linked to, as the detail panel shows it. */
export const ChatCrmFragment = graphql(`
  fragment ChatCrmFields on ChatCrmLink @_unmask {
    kind id origin name email phone url
    socialProfiles { kind handle url }
    client { id name email phone url }
    company { id name website email phone url }
    lead { id title contactName status url }
    order { id number url }
  }
`);
export type ChatCrm = ResultOf<typeof ChatCrmFragment>;

export const ChatCrmQuery = graphql(
  `
  query ChatCrm($chatId: ID!) {
    chat(id: $chatId) { id crm { ...ChatCrmFields } }
  }
`,
  [ChatCrmFragment],
);

/** D2 "Вибрати зв'язок": clients, leads and orders to link the chat to (a company cannot be linked). */
export const CrmSearchQuery = graphql(`
  query CrmSearch($query: String!) {
    crmSearch(query: $query, kinds: [CLIENT, LEAD, ORDER], first: 10) { kind id title subtitle email phone }
  }
`);
export type CrmSearchHit = ResultOf<typeof CrmSearchQuery>['crmSearch'][number];

export const LinkChatMutation = graphql(
  `
  mutation LinkChat($chatId: ID!, $target: LinkedEntityInput!) {
    linkChat(chatId: $chatId, target: $target) { id crm { ...ChatCrmFields } }
  }
`,
  [ChatCrmFragment],
);

export const UnlinkChatMutation = graphql(`
  mutation UnlinkChat($chatId: ID!) {
    unlinkChat(chatId: $chatId) { id crm { kind id } }
  }
`);

/** D2 "Нове завдання", "Додати нову подію", "Додати нове нагадування": created from the open chat. */
export const CreateTaskMutation = graphql(`
  mutation CreateTask($input: CreateTaskInput!) {
    createTask(input: $input) { id title dueAt chatNumber }
  }
`);

export const CreateEventMutation = graphql(`
  mutation CreateEvent($input: CreateEventInput!) {
    createEvent(input: $input) { id title startsAt endsAt chatNumber }
  }
`);

export const CreateReminderMutation = graphql(`
  mutation CreateReminder($input: CreateReminderInput!) {
    createReminder(input: $input) { id text fireAt state chatNumber }
  }
`);

/*
 * Admin pages (issue 9): connections with their health, employees, the status list, canned answers. The
 * API refuses these to operators; the console also hides them (admin/admin-access.ts).
 */

export const ViewerQuery = graphql(`
  query Viewer {
    me { id name role }
  }
`);

/** Every connector's view of its connections' health (the federated channelHealth singleton). */
export const HealthFragment = graphql(`
  fragment HealthFields on ChannelConnectionHealth @_unmask {
    channel connectionId displayName state detail lastEventAt lastError lastErrorAt backlog oldestBacklogAt
  }
`);
export type ConnectionHealth = ResultOf<typeof HealthFragment>;

export const ChannelHealthQuery = graphql(
  `
  query ChannelHealth {
    channelHealth {
      id
      telegram { ...HealthFields }
      telegramUser { ...HealthFields }
      viber { ...HealthFields }
      whatsapp { ...HealthFields }
      meta { ...HealthFields }
      bridge { ...HealthFields }
    }
  }
`,
  [HealthFragment],
);

export const TelegramConnectionsQuery = graphql(`
  query TelegramConnections {
    telegramConnections { id botUsername displayName mode state lastUpdateAt lastError }
  }
`);

export const ConnectTelegramBotMutation = graphql(`
  mutation ConnectTelegramBot($input: ConnectTelegramBotInput!) {
    connectTelegramBot(input: $input) { connection { id botUsername displayName mode state lastUpdateAt lastError } }
  }
`);

export const DisconnectTelegramBotMutation = graphql(`
  mutation DisconnectTelegramBot($id: ID!) {
    disconnectTelegramBot(id: $id) { connection { id state } }
  }
`);

export const TelegramUserConnectionsQuery = graphql(`
  query TelegramUserConnections {
    telegramUserConnections { id phone username displayName state lastEventAt lastError }
  }
`);

export const DisconnectTelegramUserAccountMutation = graphql(`
  mutation DisconnectTelegramUserAccount($id: ID!) {
    disconnectTelegramUserAccount(id: $id) { id state }
  }
`);

export const ViberConnectionsQuery = graphql(`
  query ViberConnections {
    viberConnections { id accountName uri displayName senderName state lastEventAt lastError }
  }
`);

export const ConnectViberBotMutation = graphql(`
  mutation ConnectViberBot($input: ConnectViberBotInput!) {
    connectViberBot(input: $input) { connection { id accountName uri displayName senderName state lastEventAt lastError } }
  }
`);

export const DisconnectViberBotMutation = graphql(`
  mutation DisconnectViberBot($id: ID!) {
    disconnectViberBot(id: $id) { connection { id state } }
  }
`);

export const WhatsAppConnectionsQuery = graphql(`
  query WhatsAppConnections {
    whatsAppConnections { id phoneNumberId wabaId displayPhoneNumber verifiedName displayName state lastWebhookAt lastError }
  }
`);

export const ConnectWhatsAppNumberMutation = graphql(`
  mutation ConnectWhatsAppNumber($input: ConnectWhatsAppNumberInput!) {
    connectWhatsAppNumber(input: $input) {
      connection { id phoneNumberId wabaId displayPhoneNumber verifiedName displayName state lastWebhookAt lastError }
    }
  }
`);

export const DisconnectWhatsAppNumberMutation = graphql(`
  mutation DisconnectWhatsAppNumber($id: ID!) {
    disconnectWhatsAppNumber(id: $id) { connection { id state } }
  }
`);

export const MetaPageConnectionsQuery = graphql(`
  query MetaPageConnections {
    metaPageConnections { id pageId pageName instagramAccountId instagramUsername displayName state subscribed lastWebhookAt lastError }
  }
`);

export const ConnectMetaPageMutation = graphql(`
  mutation ConnectMetaPage($input: ConnectMetaPageInput!) {
    connectMetaPage(input: $input) {
      connection { id pageId pageName instagramAccountId instagramUsername displayName state subscribed lastWebhookAt lastError }
    }
  }
`);

export const DisconnectMetaPageMutation = graphql(`
  mutation DisconnectMetaPage($id: ID!) {
    disconnectMetaPage(id: $id) { connection { id state } }
  }
`);

export const BridgeConnectionsQuery = graphql(`
  query BridgeConnections {
    bridgeConnections { id name outboundUrl state inboundPath lastInboundAt }
  }
`);

export const ConnectBridgeMutation = graphql(`
  mutation ConnectBridge($input: ConnectBridgeInput!) {
    connectBridge(input: $input) { secret connection { id name outboundUrl state inboundPath lastInboundAt } }
  }
`);

export const DisconnectBridgeMutation = graphql(`
  mutation DisconnectBridge($id: ID!) {
    disconnectBridge(id: $id) { connection { id state } }
  }
`);

/** Who works a connected account: members see its chats (the chat service's connection_members). */
export const ConnectionMembersQuery = graphql(`
  query ConnectionMembers($connectionId: ID!) {
    connectionMembers(connectionId: $connectionId) { connectionId members { id name active } }
  }
`);

export const SetConnectionMembersMutation = graphql(`
  mutation SetConnectionMembers($connectionId: ID!, $employeeIds: [ID!]!) {
    setConnectionMembers(connectionId: $connectionId, employeeIds: $employeeIds) { connectionId members { id name active } }
  }
`);

/** Operators' replies no bridge partner accepted after every attempt, newest first (all bridges). */
export const BridgeDeadLettersQuery = graphql(`
  query BridgeDeadLetters($first: Int) {
    bridgeDeadLetters(first: $first) { commandId chatId text attempts lastStatus lastError queuedAt deadAt connection { id name } }
  }
`);
export type BridgeDeadLetterRow = ResultOf<typeof BridgeDeadLettersQuery>['bridgeDeadLetters'][number];

export const ReplayBridgeDeadLettersMutation = graphql(`
  mutation ReplayBridgeDeadLetters($commandIds: [ID!]!) {
    replayBridgeDeadLetters(commandIds: $commandIds) { replayedCommandIds }
  }
`);

/*
 * The audit log page: every service keeps its own log (decision 0027), asked for separately so one
 * service being down empties only its part. The field is aliased to `entries`, so the page treats the
 * six alike.
 */
export const AuditEntryFragment = graphql(`
  fragment AuditEntryFields on AuditEntry @_unmask {
    id occurredAt actorId actorRole action targetType targetId details
  }
`);
export type AuditEntryRow = ResultOf<typeof AuditEntryFragment>;

export const IdentityAuditLogQuery = graphql(
  `
  query IdentityAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: identityAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const ChatAuditLogQuery = graphql(
  `
  query ChatAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: chatAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const TelegramAuditLogQuery = graphql(
  `
  query TelegramAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: telegramAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const ViberAuditLogQuery = graphql(
  `
  query ViberAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: viberAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const WhatsAppAuditLogQuery = graphql(
  `
  query WhatsAppAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: whatsAppAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const MetaAuditLogQuery = graphql(
  `
  query MetaAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: metaAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const BridgeAuditLogQuery = graphql(
  `
  query BridgeAuditLog($first: Int, $before: ID, $action: String, $targetId: ID) {
    entries: bridgeAuditLog(first: $first, before: $before, action: $action, targetId: $targetId) { ...AuditEntryFields }
  }
`,
  [AuditEntryFragment],
);

export const EmployeesQuery = graphql(`
  query Employees {
    employees { id name email role active }
  }
`);
export type EmployeeListRow = ResultOf<typeof EmployeesQuery>['employees'][number];

export const CreateEmployeeMutation = graphql(`
  mutation CreateEmployee($input: CreateEmployeeInput!) {
    createEmployee(input: $input) { id name email role active }
  }
`);

export const UpdateEmployeeMutation = graphql(`
  mutation UpdateEmployee($id: ID!, $input: UpdateEmployeeInput!) {
    updateEmployee(id: $id, input: $input) { id name email role active }
  }
`);

export const DeactivateEmployeeMutation = graphql(`
  mutation DeactivateEmployee($id: ID!) {
    deactivateEmployee(id: $id) { id name email role active }
  }
`);

export const ReactivateEmployeeMutation = graphql(`
  mutation ReactivateEmployee($id: ID!) {
    reactivateEmployee(id: $id) { id name email role active }
  }
`);

export const ChatStatusesQuery = graphql(`
  query ChatStatuses {
    chatStatuses { code name position isClosed }
  }
`);
export type ChatStatusRow = ResultOf<typeof ChatStatusesQuery>['chatStatuses'][number];

export const CreateChatStatusMutation = graphql(`
  mutation CreateChatStatus($input: CreateChatStatusInput!) {
    createChatStatus(input: $input) { code name position isClosed }
  }
`);

export const UpdateChatStatusMutation = graphql(`
  mutation UpdateChatStatus($input: UpdateChatStatusInput!) {
    updateChatStatus(input: $input) { code name position isClosed }
  }
`);

export const ReorderChatStatusesMutation = graphql(`
  mutation ReorderChatStatuses($codes: [String!]!) {
    reorderChatStatuses(codes: $codes) { code name position isClosed }
  }
`);

/** The admin page's list: the caller's personal answers and the shared set, with the variables bodies may use. */
export const CannedAnswersAdminQuery = graphql(`
  query CannedAnswersAdmin {
    cannedAnswers { id shortcode title body shared }
    cannedAnswerVariables { name description }
  }
`);
export type CannedAnswerRow = ResultOf<typeof CannedAnswersAdminQuery>['cannedAnswers'][number];

export const CreateCannedAnswerMutation = graphql(`
  mutation CreateCannedAnswer($input: CreateCannedAnswerInput!) {
    createCannedAnswer(input: $input) { id shortcode title body shared }
  }
`);

export const UpdateCannedAnswerMutation = graphql(`
  mutation UpdateCannedAnswer($input: UpdateCannedAnswerInput!) {
    updateCannedAnswer(input: $input) { id shortcode title body shared }
  }
`);

export const DeleteCannedAnswerMutation = graphql(`
  mutation DeleteCannedAnswer($id: ID!) {
    deleteCannedAnswer(id: $id)
  }
`);

/** A Telegram user account connects by logging in: phone, then the code Telegram sent, then the 2FA password if set. */
export const TelegramUserLoginFragment = graphql(`
  fragment TelegramUserLoginFields on TelegramUserLogin @_unmask {
    id phone step codeDelivery passwordHint expiresAt
    connection { id phone username displayName state lastEventAt lastError }
  }
`);
export type TelegramUserLogin = ResultOf<typeof TelegramUserLoginFragment>;

export const StartTelegramUserLoginMutation = graphql(
  `
  mutation StartTelegramUserLogin($input: StartTelegramUserLoginInput!) {
    startTelegramUserLogin(input: $input) { ...TelegramUserLoginFields }
  }
`,
  [TelegramUserLoginFragment],
);

export const SubmitTelegramUserLoginCodeMutation = graphql(
  `
  mutation SubmitTelegramUserLoginCode($input: SubmitTelegramUserLoginCodeInput!) {
    submitTelegramUserLoginCode(input: $input) { ...TelegramUserLoginFields }
  }
`,
  [TelegramUserLoginFragment],
);

export const SubmitTelegramUserLoginPasswordMutation = graphql(
  `
  mutation SubmitTelegramUserLoginPassword($input: SubmitTelegramUserLoginPasswordInput!) {
    submitTelegramUserLoginPassword(input: $input) { ...TelegramUserLoginFields }
  }
`,
  [TelegramUserLoginFragment],
);
