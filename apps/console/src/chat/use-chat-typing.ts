import { useEffect, useMemo, useState } from 'react';
import { useClient, useMutation } from 'urql';
import { ChatTypingSubscription, ReportTypingMutation } from '../graphql/operations';
import { applyTyping, nextExpiry, prune, typingNames, typingThrottle, type TypingState } from './typing-state';

/** The server publishes at most one typing per operator and chat in this window (REPORT_TYPING_EVERY_MS). */
const REPORT_EVERY_MS = 4_000;

/** Who is typing in the open chat right now (the customer, colleagues), from the chatTyping subscription. */
export function useChatTyping(chatId: string): string[] {
  const client = useClient();
  const [state, setState] = useState<TypingState>(new Map());
  useEffect(() => {
    setState(new Map());
    const subscription = client.subscription(ChatTypingSubscription, { chatId }).subscribe((result) => {
      const report = result.data?.chatTyping;
      if (report && report.chatId === chatId) setState((current) => applyTyping(current, report, Date.now()));
    });
    return () => subscription.unsubscribe();
  }, [client, chatId]);
  useEffect(() => {
    const until = nextExpiry(state);
    if (until === undefined) return;
    const timer = setTimeout(() => setState((current) => prune(current, Date.now())), Math.max(0, until - Date.now()) + 50);
    return () => clearTimeout(timer);
  }, [state]);
  return typingNames(state);
}

/** A function to call on every keystroke of a reply (not a note): it reports typing, throttled. */
export function useReportTyping(chatId: string): () => void {
  const [, reportTyping] = useMutation(ReportTypingMutation);
  // A failed report only costs one typing hint: the result is not shown, and the next keystroke tries again.
  return useMemo(() => typingThrottle(() => void reportTyping({ chatId }), REPORT_EVERY_MS), [chatId, reportTyping]);
}
