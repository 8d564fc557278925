import { buildTextMessage, type TelegramCustomerProfile, type TgUpdate } from '@switchboard/testing';
import { FIRST_NAMES, LAST_NAMES, taggedText } from './tagged-text';

// What the Telegram profile sends: `message` updates from many customers (one private chat each, so many
// chat keys and Kafka partitions), each text tagged with its update_id (tagged-text.ts).

export function benchCustomer(index: number): TelegramCustomerProfile {
  return {
    id: 700_000_000 + index,
    firstName: FIRST_NAMES[index % FIRST_NAMES.length]!,
    lastName: LAST_NAMES[index % LAST_NAMES.length]!,
    username: `bench_customer_${index}`,
    languageCode: 'uk',
  };
}

/** The i-th update of a run: customers take turns, update_id and message_id are unique. */
export function benchUpdate(run: string, updateId: number, sequence: number, customers: number): TgUpdate {
  const from = benchCustomer(sequence % customers);
  return { update_id: updateId, message: buildTextMessage({ messageId: updateId, from, text: taggedText(run, updateId, sequence) }) };
}
