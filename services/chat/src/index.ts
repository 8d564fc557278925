export * from './chat.config';
export * from './chat-data-source';
export * from './chat.service-runner';
export { CHAT_MIGRATIONS } from './migrations';
// The read side, for benchmarks and tools that measure exactly what the subgraph runs.
export { loadViewer, type Viewer } from './access/viewer';
export { ChatQueryService, type ChatListFilter, type ChatListCounts, type ChatListType } from './chats/chat-query.service';
export { ChatSearchService } from './search/chat-search.service';
export { CUSTOMER_SEARCH_EXPR, MESSAGE_SEARCH_EXPR } from './search/search-sql';
export { containsPattern, searchTerms } from './search/search-terms';
