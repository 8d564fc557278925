/**
 * Issue 9: the operator console in a real browser (Debian's chromium driven by playwright-core) against the
 * standalone product, served by the gateway at / beside /graphql. An operator logs in, a customer's
 * Telegram message appears in the list without a reload, the operator opens it, writes an internal note
 * (which never reaches Telegram) and replies (which the Telegram double receives, and whose delivery tick
 * moves to sent); the list's filters live in the URL and survive a reload; the language switches; "В обробку",
 * the status menu, search inside the chat, a canned answer by "/", and the detail panel's end and delete (with
 * confirmation) work; an operator without access to the chat cannot open it by its URL. The detail panel links
 * the chat to a CRM lead ("Вибрати зв'язок") and shows its card, creates a task and a reminder that then fires
 * in the page; a PNG uploaded by "Файли" shows in the timeline with its download link. The admin pages add a
 * status (then in the chat's status menu), a canned answer (refused while it names an unknown variable, then
 * offered by "/") and an operator, show the Telegram connection with its health and the API's refusal of a bad
 * token; the new operator sees no admin entries and gets "Немає доступу" at their URLs.
 */
import { waitFor } from '@switchboard/testing';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { integrationRequired } from './support/infra';
import { ADMIN, BOT, startTestStack, type TestStack } from './support/test-stack';

const CHROMIUM = '/usr/bin/chromium';
const REPO = join(__dirname, '..', '..');
const CONSOLE_DIR = join(REPO, 'apps', 'console', 'dist');
/** UPDATE_SCREENSHOTS=1 refreshes the README's screenshots (docs/screenshots) from this run. */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(REPO, 'docs', 'screenshots') : undefined;

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (integrationRequired) throw new Error(`REQUIRE_INTEGRATION=1 but ${CHROMIUM} is missing (.ci/run installs Debian's chromium)`);
  console.warn(`Skipping the console browser test: ${CHROMIUM} is missing (apt-get install chromium)`);
  return false;
}

const describeInBrowser = chromiumAvailable() ? describe : describe.skip;

describeInBrowser('operator console in a browser (standalone)', () => {
  let stack: TestStack;
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    // Builds only when sources changed since the last build (the same step `npm start` runs first).
    execFileSync('node', [join(REPO, 'apps', 'console', 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit' });
    stack = await startTestStack({ runtime: 'standalone', telegramMode: 'polling', consoleDir: CONSOLE_DIR });
    await stack.client.request(`mutation Connect($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token },
    });
    consoleUrl = stack.switchboard.gateway.url.replace(/\/graphql$/, '/');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // A fresh profile per launch is playwright's default; these keep Chromium from calling home.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1366, height: 800 }, locale: 'uk-UA' });
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') console.warn(`browser ${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => console.warn(`browser page error: ${error.message}`));
  }, 180_000);

  afterEach(async () => {
    // What the page showed when a test failed: the quickest way to see why.
    await page?.screenshot({ path: join(tmpdir(), `console-e2e-${expect.getState().currentTestName?.slice(0, 40).replace(/\W+/g, '-')}.png`) });
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('logs in, shows a new customer chat live, sends a note and a reply to Telegram, and searches the chat', async () => {
    await page.goto(consoleUrl);
    await page.getByLabel('Електронна пошта').fill(ADMIN.email);
    await page.getByLabel('Пароль').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Увійти' }).click();
    await page.getByRole('heading', { name: 'Месенджери' }).waitFor();
    await page.getByText('Чатів немає').waitFor();

    // The customer writes after the page loaded: the row must arrive over the live subscription.
    const customer = stack.telegram.customer(BOT.token, { id: 909001, firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k' });
    await customer.sendText('Добрий день! Де моє замовлення №1042?');
    const row = page.locator('.chat-row', { hasText: 'Оксана Коваль' });
    await row.waitFor({ timeout: 30_000 });
    await expectText(row, 'Добрий день! Де моє замовлення №1042?');
    await page.getByText('1 чат', { exact: true }).waitFor();
    await screenshot(page, 'console-list');

    await row.click();
    await page.waitForURL(/\/chats\/[^/?]+$/);
    const timeline = page.getByRole('log');
    await timeline.getByText('Добрий день! Де моє замовлення №1042?').waitFor();
    await page.getByRole('heading', { name: /Оксана Коваль\s+#1/ }).waitFor();

    // An internal note: shown as internal, never sent to the platform.
    await page.getByRole('button', { name: 'Примітка' }).click();
    await page.getByPlaceholder('Внутрішня примітка: клієнт її не побачить').fill('Клієнт просив подзвонити після 18:00');
    await page.getByRole('button', { name: 'Зберегти примітку' }).click();
    await timeline.locator('.note', { hasText: 'Клієнт просив подзвонити після 18:00' }).getByText('Примітка · бачать лише працівники').waitFor();

    await page.getByRole('button', { name: 'Примітка' }).click();
    const reply = 'Вже відправили, ось номер ТТН: 2045';
    await page.getByRole('textbox', { name: /Відповідь клієнту/ }).fill(reply);
    await page.getByRole('button', { name: 'Надіслати' }).click();

    const sent = await stack.telegram.waitForSent((record) => record.method === 'sendMessage' && record.text === reply, 30_000);
    expect(String(sent.chatId)).toBe('909001');
    await timeline.locator('.bubble--outbound', { hasText: reply }).locator('[data-delivery-state="SENT"], [data-delivery-state="DELIVERED"], [data-delivery-state="READ"]').waitFor({ timeout: 30_000 });
    expect(stack.telegram.sentMessages(BOT.token).map((record) => record.text)).not.toContain('Клієнт просив подзвонити після 18:00');
    await screenshot(page, 'console-chat');

    // C5: search inside the chat and jump to the match.
    await page.locator('.chat-header').getByRole('button', { name: 'Пошук' }).click();
    const chatSearch = page.locator('.chat-search');
    await chatSearch.getByRole('searchbox', { name: 'Пошук' }).fill('замовлення');
    await chatSearch.getByRole('button', { name: 'Пошук' }).click();
    await chatSearch.locator('mark', { hasText: /замовлення/i }).click();
    await timeline.locator('.bubble.is-focused', { hasText: 'Де моє замовлення' }).waitFor();
  }, 120_000);

  it('keeps the filters in the URL across a reload, and switches the language', async () => {
    await page.getByRole('tab', { name: /Без відповіді/ }).click();
    await page.waitForURL(/type=UNANSWERED/);
    // Answered by the previous test: the unanswered tab is empty.
    await page.getByText('Чатів немає').waitFor();
    await page.reload();
    await waitFor(async () => (await page.getByRole('tab', { name: /Без відповіді/ }).getAttribute('aria-selected')) === 'true', {
      timeoutMs: 15_000,
      description: 'the tab chosen before the reload to be selected',
    });
    await page.getByRole('tab', { name: /Усі/ }).click();
    const row = page.locator('.chat-row', { hasText: 'Оксана Коваль' });
    await row.waitFor();

    // Each filter narrows the list (L1, L4, L5), and lives in the URL.
    await page.getByRole('button', { name: 'Фільтри' }).click();
    await page.getByRole('checkbox', { name: 'Viber', exact: true }).check();
    await page.waitForURL(/channels=VIBER/);
    await page.getByText('Чатів немає').waitFor();
    await page.getByRole('checkbox', { name: 'Viber', exact: true }).uncheck();
    await page.getByRole('checkbox', { name: 'Telegram', exact: true }).check();
    await row.waitFor();
    await page.getByRole('checkbox', { name: 'Завершений' }).check();
    await page.getByText('Чатів немає').waitFor();
    await page.getByRole('checkbox', { name: 'Завершений' }).uncheck();
    await row.waitFor();
    await page.getByRole('searchbox', { name: 'Пошук' }).fill('ТТН');
    await page.waitForURL(/q=/);
    await row.waitFor();
    await page.getByRole('searchbox', { name: 'Пошук' }).fill('фламінго');
    await page.getByText('Чатів немає').waitFor();
    await page.getByRole('button', { name: 'Скинути фільтри' }).click();
    await page.getByRole('searchbox', { name: 'Пошук' }).fill('');
    await row.waitFor();

    await page.getByRole('combobox', { name: 'Мова' }).selectOption('en');
    await page.getByRole('heading', { name: 'Messengers' }).waitFor();
    await page.getByRole('tab', { name: /Unanswered/ }).waitFor();
    await page.getByText('1 chat', { exact: true }).waitFor();
    // The choice is remembered across a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Messengers' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  }, 60_000);

  it("links the chat to a CRM lead, creates a task and a reminder that fires in the page, and switches back to Ukrainian", async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('uk');
    await page.getByRole('heading', { name: 'Месенджери' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('uk');
    await stack.client.request(`mutation Lead($input: CreateCrmLeadInput!) { createCrmLead(input: $input) { id } }`, {
      input: {
        title: 'Оптове замовлення кави',
        contactName: 'Оксана Коваль',
        email: 'oksana.koval@example.com',
        phone: '+380501234567',
        socialProfiles: [{ kind: 'instagram', handle: 'oksana.coffee', url: 'https://instagram.com/oksana.coffee' }],
      },
    });
    await page.locator('.chat-row', { hasText: 'Оксана Коваль' }).click();
    await page.getByRole('button', { name: 'Детальна інформація' }).click();
    const details = page.getByRole('complementary', { name: 'Додаткова інформація' });

    // D2 "Вибрати зв'язок": search the directory, pick the lead; D1: its card.
    await details.getByRole('button', { name: "Вибрати зв'язок" }).click();
    await details.getByRole('searchbox', { name: 'Пошук у CRM' }).fill('Оптове');
    await details.getByRole('button', { name: /Оптове замовлення кави/ }).click();
    const card = details.locator('.crm-card[data-crm-kind="LEAD"]');
    await card.getByText('Оптове замовлення кави').waitFor();
    await card.getByRole('link', { name: 'oksana.koval@example.com' }).waitFor();
    await card.getByRole('link', { name: '+380501234567' }).waitFor();
    await card.getByRole('link', { name: 'instagram: @oksana.coffee' }).waitFor();

    await details.getByRole('button', { name: 'Нове завдання' }).click();
    await details.getByRole('form', { name: 'Нове завдання' }).getByLabel('Назва').fill('Надіслати прайс на каву');
    await details.getByRole('form', { name: 'Нове завдання' }).getByRole('button', { name: 'Створити' }).click();
    await details.getByRole('status').getByText('Завдання «Надіслати прайс на каву» створено').waitFor();

    // A reminder due in a few seconds fires in the page (reminderEvents), about this chat.
    await details.getByRole('button', { name: 'Додати нове нагадування' }).click();
    const form = details.getByRole('form', { name: 'Додати нове нагадування' });
    await form.getByLabel('Про що нагадати').fill('Передзвонити Оксані щодо кави');
    await form.getByLabel('Коли нагадати').fill(localInputValue(new Date(Date.now() + 6_000)));
    await form.getByRole('button', { name: 'Створити' }).click();
    await details.getByRole('status').getByText(/^Нагадування на .+ створено$/).waitFor();
    const notice = page.getByRole('region', { name: 'Сповіщення' }).getByRole('alert');
    await notice.getByText('Нагадування щодо чату #1').waitFor({ timeout: 20_000 });
    await notice.getByText('Передзвонити Оксані щодо кави').waitFor();
    await notice.getByRole('button', { name: 'Закрити' }).click();
    await details.getByRole('button', { name: 'Закрити' }).click();
  }, 60_000);

  it('uploads a PNG by "Файли", shows it in the timeline with a download link, and sends it to Telegram with the reply', async () => {
    const timeline = page.getByRole('log');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Файли' }).click();
    await (await chooser).setFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from(PIXEL_PNG, 'base64') });
    await page.getByRole('status').getByText(/^Файл «pixel\.png» додано до чату/).waitFor({ timeout: 20_000 });
    const link = timeline.locator('.uploaded-file').getByRole('link', { name: /pixel\.png/ });
    await link.waitFor();
    const href = await link.getAttribute('href');
    const download = await fetch(href!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(PIXEL_PNG, 'base64'))).toBe(true);

    // The stored file goes with the reply (text optional): Telegram gets a photo.
    await page.getByRole('button', { name: 'Надіслати' }).click();
    const photo = await stack.telegram.waitForSent((record) => record.method === 'sendPhoto', 30_000);
    expect(String(photo.chatId)).toBe('909001');
    await timeline.locator('.bubble--outbound .bubble__attachments', { hasText: 'pixel.png' }).waitFor();

    // A file whose name lies about its content is refused with the files service's reason.
    const refused = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Файли' }).click();
    await (await refused).setFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PIXEL_PNG, 'base64') });
    await page.getByRole('alert').getByText(/Файл «invoice\.pdf» не прийнято: .+/).waitFor({ timeout: 20_000 });
  }, 60_000);

  it('admin pages: adds a status, a canned answer and an operator, shows the connections with health, and keeps operators out', async () => {
    const nav = page.getByRole('navigation', { name: 'Розділи' });

    // Status list: add one, move it up a place.
    await nav.getByRole('link', { name: 'Статуси чатів' }).click();
    await page.waitForURL(/\/admin\/statuses$/);
    const statusForm = page.getByRole('form', { name: 'Додати статус' });
    await statusForm.getByLabel('Код', { exact: true }).fill('awaiting_payment');
    await statusForm.getByLabel('Назва', { exact: true }).fill('Очікує оплати');
    await statusForm.getByRole('button', { name: 'Додати статус' }).click();
    await page.getByRole('status').getByText('Статус «Очікує оплати» додано').waitFor();
    await page.getByRole('button', { name: 'Вище: Очікує оплати' }).click();
    await waitFor(async () => (await page.locator('tbody tr').nth(2).getAttribute('data-status-code')) === 'awaiting_payment', {
      timeoutMs: 10_000,
      description: 'the new status to move above Завершений',
    });

    // Canned answers: an unknown variable is refused by the API (shown as it says), a known one is saved.
    await nav.getByRole('link', { name: 'Готові відповіді' }).click();
    await page.getByRole('button', { name: 'Нова готова відповідь' }).click();
    const cannedForm = page.getByRole('form', { name: 'Нова готова відповідь' });
    await cannedForm.getByLabel('Скорочення (пишеться після «/»)').fill('thanks');
    await cannedForm.getByLabel('Назва', { exact: true }).fill('Подяка');
    await cannedForm.getByLabel('Текст', { exact: true }).fill('Дякуємо, {{custmer.firstName}}!');
    await cannedForm.getByRole('button', { name: 'Зберегти' }).click();
    await cannedForm.getByRole('alert').getByText(/Unknown variables: \{\{custmer\.firstName\}\}/).waitFor();
    await cannedForm.getByLabel('Текст', { exact: true }).fill('Дякуємо, ');
    await cannedForm.getByRole('button', { name: 'Вставити {{customer.firstName}}' }).click();
    await cannedForm.getByRole('button', { name: 'Зберегти' }).click();
    await page.getByRole('status').getByText('Готову відповідь «/thanks» збережено').waitFor();
    await page.locator('[data-shortcode="thanks"]').getByText('Дякуємо, {{customer.firstName}}').waitFor();

    // Employees: a new operator.
    await nav.getByRole('link', { name: 'Працівники та ролі' }).click();
    const employeeForm = page.getByRole('form', { name: 'Додати працівника' });
    await employeeForm.getByLabel('Ім’я').fill('Ірина Операторка');
    await employeeForm.getByLabel('Електронна пошта').fill('iryna@switchboard.test');
    await employeeForm.getByLabel('Початковий пароль').fill('iryna-password-1');
    await employeeForm.getByRole('button', { name: 'Додати' }).click();
    await page.getByRole('status').getByText('Працівника «Ірина Операторка» додано').waitFor();
    await page.getByRole('cell', { name: 'iryna@switchboard.test' }).waitFor();

    // Connections: the Telegram bot with its health; a token Telegram rejects is refused with the API's error.
    await nav.getByRole('link', { name: 'Підключення' }).click();
    const telegram = page.getByRole('region', { name: 'Telegram', exact: true });
    const bot = telegram.locator('tr', { hasText: `@${BOT.username}` });
    await bot.getByText('Активне').waitFor();
    await bot.locator('[data-health-state="OK"]').getByText('Працює').waitFor();
    await bot.getByText(/^Остання подія: /).waitFor();
    await telegram.getByRole('button', { name: 'Підключити: Telegram' }).click();
    const connectForm = telegram.getByRole('form', { name: 'Підключити: Telegram' });
    await connectForm.getByLabel('Токен бота від @BotFather').fill('999:revoked-token');
    await connectForm.getByRole('button', { name: 'Підключити' }).click();
    await connectForm.locator('[data-error-code="BAD_USER_INPUT"]').waitFor();
    await screenshot(page, 'console-connections');

    // The operator: no admin entries, and "no access" at the admin URLs.
    const operator = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    await operator.goto(`${consoleUrl}admin/connections`);
    await operator.getByLabel('Електронна пошта').fill('iryna@switchboard.test');
    await operator.getByLabel('Пароль').fill('iryna-password-1');
    await operator.getByRole('button', { name: 'Увійти' }).click();
    await operator.getByRole('heading', { name: 'Немає доступу' }).waitFor();
    await operator.getByRole('alert').getByText('Ця сторінка доступна лише адміністраторам.').waitFor();
    expect(await operator.getByRole('navigation', { name: 'Розділи' }).count()).toBe(0);
    expect(await operator.getByText('@switchboard_e2e_bot').count()).toBe(0);
    await operator.goto(`${consoleUrl}admin/statuses`);
    await operator.getByRole('heading', { name: 'Немає доступу' }).waitFor();
    await operator.getByRole('button', { name: 'До месенджерів' }).click();
    await operator.getByRole('heading', { name: 'Месенджери' }).waitFor();
    expect(await operator.getByRole('link', { name: 'Статуси чатів' }).count()).toBe(0);
    await operator.close();

    // Back in the chat: the new status is in its menu and the new answer is offered by "/".
    await nav.getByRole('link', { name: 'Месенджери' }).click();
    await page.locator('.chat-row', { hasText: 'Оксана Коваль' }).click();
    await page.getByRole('combobox', { name: 'Статус' }).locator('option', { hasText: 'Очікує оплати' }).waitFor({ state: 'attached' });
    const replyBox = page.getByRole('textbox', { name: /Відповідь клієнту/ });
    await replyBox.fill('/tha');
    await page.getByRole('option', { name: /\/thanks/ }).click();
    await waitFor(async () => (await replyBox.inputValue()) === 'Дякуємо, Оксана', {
      timeoutMs: 10_000,
      description: 'the new canned answer to be rendered into the reply box',
    });
    await replyBox.fill('');
  }, 60_000);

  it('takes the chat into work, changes its status, inserts a canned answer, keeps it from outsiders, ends and deletes it', async () => {
    await stack.client.request(`mutation Add($input: CreateCannedAnswerInput!) { createCannedAnswer(input: $input) { id } }`, {
      input: { shortcode: 'hello', title: 'Вітання', body: 'Добрий день, {{customer.firstName}}! Мене звати {{operator.firstName}}.' },
    });
    await page.locator('.chat-row', { hasText: 'Оксана Коваль' }).click();
    const timeline = page.getByRole('log');

    await page.getByRole('button', { name: 'В обробку' }).click();
    await timeline.locator('[data-activity-type="TAKEN_INTO_WORK"]').waitFor();
    await waitFor(async () => (await page.getByRole('combobox', { name: 'Статус' }).inputValue()) === 'in_progress', {
      timeoutMs: 10_000,
      description: 'the status to become В обробці',
    });
    await page.getByRole('combobox', { name: 'Статус' }).selectOption('new');
    await timeline.locator('[data-activity-type="STATUS_CHANGED"]').waitFor();

    const replyBox = page.getByRole('textbox', { name: /Відповідь клієнту/ });
    await replyBox.fill('/hel');
    await page.getByRole('option', { name: /\/hello/ }).click();
    await waitFor(async () => (await replyBox.inputValue()) === 'Добрий день, Оксана! Мене звати Ada.', {
      timeoutMs: 10_000,
      description: 'the canned answer to be rendered into the reply box',
    });

    // An operator of no connection, and of no operator list of this chat, cannot open it by its URL.
    await stack.client.request(`mutation Add($input: CreateEmployeeInput!) { createEmployee(input: $input) { id } }`, {
      input: { email: 'outsider@switchboard.test', name: 'Олег Сторонній', role: 'OPERATOR', password: 'outsider-password-1' },
    });
    const outsider = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    await outsider.goto(page.url());
    await outsider.getByLabel('Електронна пошта').fill('outsider@switchboard.test');
    await outsider.getByLabel('Пароль').fill('outsider-password-1');
    await outsider.getByRole('button', { name: 'Увійти' }).click();
    await outsider.getByRole('alert').getByText('Чат не знайдено або у вас немає до нього доступу').waitFor();
    await outsider.getByText('Чатів немає').waitFor();
    expect(await outsider.getByText('Добрий день! Де моє замовлення').count()).toBe(0);
    await outsider.close();

    await page.getByRole('button', { name: 'Детальна інформація' }).click();
    const details = page.getByRole('complementary', { name: 'Додаткова інформація' });
    await details.getByText('https://t.me/oksana_k').waitFor();
    await screenshot(page, 'console-details');
    await details.getByRole('button', { name: 'Завершити чат' }).click();
    await timeline.locator('[data-activity-type="ENDED"]').waitFor();

    await details.getByRole('button', { name: 'Видалити чат' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Видалити чат #1? Цю дію не можна скасувати.').waitFor();
    await dialog.getByRole('button', { name: 'Так, видалити' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByText('Чатів немає').waitFor();
  }, 60_000);
});

/** A 1x1 PNG: the files service tells its type from these bytes, not from the name. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** The value a datetime-local input with seconds takes for `date` (the browser runs in this machine's zone). */
function localInputValue(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.getByText(text).waitFor();
}
