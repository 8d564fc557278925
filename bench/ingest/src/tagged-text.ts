// Every bench message's text starts with a tag naming the run and the message's id, so the chat event that
// comes out of the chat service can be matched to the webhook call that carried it, whatever the channel.
// The run in the tag keeps chat events left on a reused broker by an earlier run from being taken for this run's.

export const FIRST_NAMES = ['Оксана', 'Андрій', 'Marta', 'Олег', 'Sofia', 'Тарас', 'Ірина', 'Max'];
export const LAST_NAMES = ['Коваль', 'Шевченко', 'Novak', 'Бондар', 'Kowalska', 'Мельник'];
const TEXTS = [
  'Добрий день! Де моє замовлення?',
  'Hello, is the blue one still in stock? I would like two of them, size M.',
  'Дякую, отримала 👍',
  'Можна змінити адресу доставки на Київ, вул. Хрещатик 1, кв. 5?',
  'When will the courier arrive? I am home until 6 pm.',
];

/** The text of the bench message with this id; `sequence` picks the text from the rotation. */
export function taggedText(run: string, messageId: number, sequence: number): string {
  return `#${run}:${messageId} ${TEXTS[sequence % TEXTS.length]}`;
}

/** The message id that taggedText put into a text of this run, if any. */
export function messageIdOfText(run: string, text: string | undefined): number | undefined {
  const match = text ? /^#([0-9a-f]+):(\d+) /.exec(text) : null;
  return match && match[1] === run ? Number(match[2]) : undefined;
}
