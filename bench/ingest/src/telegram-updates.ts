import { buildTextMessage, type TelegramCustomerProfile, type TgUpdate } from '@switchboard/testing';

// What the load generator sends: Telegram `message` updates from many customers (one private chat each,
// so many chat keys and Kafka partitions), each text tagged with its update_id so the chat event that
// comes out of the chat service can be matched to the webhook call that caused it. The tag also names the
// run, so chat events left on a reused broker by an earlier run are never mistaken for this run's.

const FIRST_NAMES = ['Оксана', 'Андрій', 'Marta', 'Олег', 'Sofia', 'Тарас', 'Ірина', 'Max'];
const LAST_NAMES = ['Коваль', 'Шевченко', 'Novak', 'Бондар', 'Kowalska', 'Мельник'];
const TEXTS = [
  'Добрий день! Де моє замовлення?',
  'Hello, is the blue one still in stock? I would like two of them, size M.',
  'Дякую, отримала 👍',
  'Можна змінити адресу доставки на Київ, вул. Хрещатик 1, кв. 5?',
  'When will the courier arrive? I am home until 6 pm.',
];

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
  const text = `#${run}:${updateId} ${TEXTS[sequence % TEXTS.length]}`;
  return { update_id: updateId, message: buildTextMessage({ messageId: updateId, from, text }) };
}

/** The update_id that benchUpdate tagged into a message text of this run, if any. */
export function updateIdOfText(run: string, text: string | undefined): number | undefined {
  const match = text ? /^#([0-9a-f]+):(\d+) /.exec(text) : null;
  return match && match[1] === run ? Number(match[2]) : undefined;
}
