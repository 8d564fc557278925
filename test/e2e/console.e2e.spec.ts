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
 * token; the new operator sees no admin entries and gets "Немає доступу" at their URLs. A photo a customer
 * sends shows as its thumbnail, linking to the full file. On the employees page an admin changes a role and
 * deactivates and reactivates an operator (each confirmed; the deactivated one cannot log in). A WhatsApp
 * chat whose 24-hour window has closed offers "Надіслати шаблон": an approved template, its parameters filled
 * in and previewed, reaches the Graph API double as a template message. The admin makes the new operator a
 * member of the Telegram connection (saved across a reload) and finds that and the operator's creation in
 * "Журнал дій", filtered by action; a bridge reply the partner never accepted is listed under the dead letters
 * and replayed from the connections page, reaching the partner.
 */
import { BridgePartnerDouble, MetaGraphApiDouble, postBridgeMessage, postWhatsAppWebhook, waitFor, waMessagesChange, waText, waWebhook } from '@switchboard/testing';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { integrationRequired } from './support/infra';
import { ADMIN, BOT, startTestStack, type TestStack } from './support/test-stack';

const CHROMIUM = '/usr/bin/chromium';
const WA_NUMBER = { phoneNumberId: '106540352249901', wabaId: '102290129349901', displayPhoneNumber: '15550009901', verifiedName: 'Console Shop' };
const WA_CREDENTIALS = { accessToken: `EAAG${'c'.repeat(40)}`, appSecret: 'c1b2c3d4e5f60718293a4b5c6d7e9901', verifyToken: 'e2e-console-verify-token-1' };
const WA_CUSTOMER = { waId: '380671239901', name: 'Марко WhatsApp' };
const BRIDGE_CUSTOMER = { id: '380509990001', name: 'Павло Міст' };
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
  let graph: MetaGraphApiDouble;
  const partner = new BridgePartnerDouble();
  let browser: Browser;
  let page: Page;
  let consoleUrl: string;

  beforeAll(async () => {
    // Builds only when sources changed since the last build (the same step `npm start` runs first).
    execFileSync('node', [join(REPO, 'apps', 'console', 'scripts', 'build-if-stale.mjs')], { stdio: 'inherit' });
    graph = new MetaGraphApiDouble();
    await graph.start();
    graph.registerWhatsAppNumber({ ...WA_NUMBER, accessToken: WA_CREDENTIALS.accessToken, appSecret: WA_CREDENTIALS.appSecret });
    graph.addTemplate(WA_NUMBER.wabaId, { name: 'order_update', language: 'uk', body: 'Вітаємо, {{1}}! Замовлення {{2}} вже в дорозі.' });
    // Not approved yet: the picker must not offer it.
    graph.addTemplate(WA_NUMBER.wabaId, { name: 'spring_sale', language: 'uk', status: 'PENDING', body: 'Весняний розпродаж!' });
    await partner.start();
    // A short bridge retry schedule, so a reply the partner refuses is dead-lettered within the test.
    stack = await startTestStack({
      runtime: 'standalone',
      telegramMode: 'polling',
      consoleDir: CONSOLE_DIR,
      metaGraphApiBaseUrl: graph.baseUrl,
      bridgeDelivery: { maxAttempts: 2, baseDelayMs: 100, maxDelayMs: 400, pollMs: 50 },
    });
    await stack.client.request(`mutation Connect($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, {
      input: { token: BOT.token },
    });
    await stack.client.request(`mutation ($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { connection { id } } }`, {
      input: { phoneNumberId: WA_NUMBER.phoneNumberId, wabaId: WA_NUMBER.wabaId, ...WA_CREDENTIALS, displayName: 'Console WhatsApp' },
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
    await graph?.stop();
    await partner.stop();
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

  it("shows a customer's photo as its thumbnail, which links to the full file", async () => {
    const timeline = page.getByRole('log');
    const customer = stack.telegram.customer(BOT.token, { id: 909001, firstName: 'Оксана', lastName: 'Коваль', username: 'oksana_k' });
    customer.sendPhoto({ bytes: Buffer.from(SMALL_PNG, 'base64'), mimeType: 'image/png', caption: 'Ось фото посилки' });
    const bubble = timeline.locator('.bubble--inbound', { hasText: 'Ось фото посилки' });
    await bubble.waitFor({ timeout: 30_000 });
    // The media is fetched from Telegram after the message arrives; the thumbnail follows once it is stored.
    const thumbnail = bubble.locator('img.file-link__thumbnail');
    await thumbnail.waitFor({ timeout: 30_000 });
    const loadedWidth = () => thumbnail.evaluate((element) => {
      const image = element as unknown as { complete: boolean; naturalWidth: number };
      return image.complete ? image.naturalWidth : 0;
    });
    await waitFor(async () => (await loadedWidth()) === 4, {
      timeoutMs: 10_000,
      description: 'the 4 px wide thumbnail to load in the page',
    });
    // The box is reserved before the image loads: the timeline does not jump when it arrives.
    expect(await thumbnail.getAttribute('width')).toBe('160');
    expect(await thumbnail.getAttribute('height')).toBe('160');
    expect(await thumbnail.getAttribute('alt')).toBeTruthy();
    const preview = await fetch((await thumbnail.getAttribute('src'))!);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/webp');
    // The thumbnail is the link to the original bytes.
    const href = await bubble.locator('a.file-link:has(img.file-link__thumbnail)').getAttribute('href');
    const original = await fetch(href!);
    expect(Buffer.from(await original.arrayBuffer()).equals(Buffer.from(SMALL_PNG, 'base64'))).toBe(true);
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
    // Members: the new operator is ticked among the active employees, saved, and still there after a reload.
    await bot.getByRole('button', { name: /^Змінити учасників: / }).click();
    const membersForm = bot.getByRole('form', { name: /^Учасники «/ });
    await membersForm.getByRole('checkbox', { name: 'Ірина Операторка' }).check();
    await membersForm.getByRole('button', { name: 'Зберегти' }).click();
    await bot.getByRole('status').getByText(/^Учасників «.+» збережено$/).waitFor();
    await page.reload();
    await bot.getByRole('list', { name: /^Учасники «/ }).getByText('Ірина Операторка').waitFor();
    await telegram.getByRole('button', { name: 'Підключити: Telegram' }).click();
    const connectForm = telegram.getByRole('form', { name: 'Підключити: Telegram' });
    await connectForm.getByLabel('Токен бота від @BotFather').fill('999:revoked-token');
    await connectForm.getByRole('button', { name: 'Підключити' }).click();
    await connectForm.locator('[data-error-code="BAD_USER_INPUT"]').waitFor();
    await screenshot(page, 'console-connections');

    // The audit log: the member change (chat service) above the operator's creation (identity), both by the admin.
    await nav.getByRole('link', { name: 'Журнал дій' }).click();
    const audit = page.getByRole('table', { name: 'Журнал дій' });
    const membersEntry = audit.locator('tr[data-action="connection.set-members"]');
    await membersEntry.getByText('Змінено учасників підключення').waitFor();
    await membersEntry.getByText(/added: Ірина Операторка/).waitFor();
    const created = audit.locator('tr[data-action="employee.create"]', { hasText: 'Ірина Операторка' });
    await created.getByText('Додано працівника').waitFor();
    await created.getByText(ADMIN.name).waitFor();
    const order = await audit.locator('tbody tr').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-action')} ${row.textContent ?? ''}`));
    expect(order.findIndex((row) => row.startsWith('connection.set-members '))).toBeLessThan(order.findIndex((row) => row.startsWith('employee.create ') && row.includes('Ірина Операторка')));
    await screenshot(page, 'console-audit-log');
    // Filters are the services' own: a malformed action code is refused before asking, a good one narrows the list.
    const auditFilters = page.getByRole('form', { name: 'Фільтри журналу' });
    const actionFilter = auditFilters.getByLabel('Код дії, напр. employee.create');
    await actionFilter.fill('Employee Create');
    await auditFilters.getByRole('button', { name: 'Показати' }).click();
    await auditFilters.getByText(/^Код дії має вигляд «об’єкт.дія»/).waitFor();
    await actionFilter.fill('employee.create');
    await auditFilters.getByRole('button', { name: 'Показати' }).click();
    await waitFor(
      async () => {
        const actions = await audit.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-action')));
        return actions.length > 0 && actions.every((action) => action === 'employee.create');
      },
      { timeoutMs: 10_000, description: 'only employee.create entries' },
    );
    await created.waitFor();

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

  it('employees page: changes a role, refuses demoting the last admin, deactivates and reactivates an operator, each confirmed', async () => {
    await page.getByRole('navigation', { name: 'Розділи' }).getByRole('link', { name: 'Працівники та ролі' }).click();
    const dialog = page.getByRole('dialog');
    const iryna = page.locator('tr', { hasText: 'iryna@switchboard.test' });
    const role = iryna.getByRole('combobox', { name: 'Роль: Ірина Операторка' });

    // A cancelled choice changes nothing; a confirmed one is saved by the API.
    await role.selectOption('ADMIN');
    await dialog.getByText('Змінити роль працівника «Ірина Операторка» на «Адміністратор»?').waitFor();
    await dialog.getByRole('button', { name: 'Скасувати' }).click();
    expect(await role.inputValue()).toBe('OPERATOR');
    await role.selectOption('ADMIN');
    await dialog.getByRole('button', { name: 'Так, змінити' }).click();
    await iryna.getByRole('status').getByText('Роль працівника «Ірина Операторка» змінено на «Адміністратор»').waitFor();
    expect(await role.inputValue()).toBe('ADMIN');
    await role.selectOption('OPERATOR');
    await dialog.getByRole('button', { name: 'Так, змінити' }).click();
    await iryna.getByRole('status').getByText('Роль працівника «Ірина Операторка» змінено на «Оператор»').waitFor();

    // The only admin left cannot demote themselves (the API's words are shown) nor deactivate themselves.
    const me = page.locator('tr', { hasText: ADMIN.email });
    expect(await me.getByRole('button', { name: `Деактивувати: ${ADMIN.name}` }).isDisabled()).toBe(true);
    await me.getByRole('combobox', { name: `Роль: ${ADMIN.name}` }).selectOption('OPERATOR');
    await dialog.getByRole('button', { name: 'Так, змінити' }).click();
    await me.locator('[data-error-code="CONFLICT"]').getByText(`${ADMIN.name} is the last active admin: make another employee an admin first`, { exact: false }).waitFor();
    expect(await me.getByRole('combobox', { name: `Роль: ${ADMIN.name}` }).inputValue()).toBe('ADMIN');

    // Deactivated: marked so, and the login is refused; reactivated: the login works again.
    await iryna.getByRole('button', { name: 'Деактивувати: Ірина Операторка' }).click();
    await dialog.getByText(/^Деактивувати працівника «Ірина Операторка»\?/).waitFor();
    await dialog.getByRole('button', { name: 'Так, змінити' }).click();
    await iryna.getByRole('status').getByText('Працівника «Ірина Операторка» деактивовано').waitFor();
    await iryna.getByText('Деактивований').waitFor();
    expect(await loginErrorCode('iryna@switchboard.test', 'iryna-password-1')).toBe('UNAUTHENTICATED');
    await iryna.getByRole('button', { name: 'Відновити доступ: Ірина Операторка' }).click();
    await dialog.getByRole('button', { name: 'Так, змінити' }).click();
    await iryna.getByRole('status').getByText('Доступ працівника «Ірина Операторка» відновлено').waitFor();
    await iryna.getByText('Активний').waitFor();
    expect(await loginErrorCode('iryna@switchboard.test', 'iryna-password-1')).toBeUndefined();
  }, 60_000);

  it('offers an approved WhatsApp template once the 24-hour window closed, previews it with its parameters and sends it', async () => {
    const stale = waText(WA_CUSTOMER, 'Чи є у вас доставка у Львів?', { at: new Date(Date.now() - 25 * 3_600_000) });
    const webhook = waWebhook([{ wabaId: WA_NUMBER.wabaId, changes: [waMessagesChange({ number: WA_NUMBER, contacts: [WA_CUSTOMER], messages: [stale] })] }]);
    const posted = await postWhatsAppWebhook(`${stack.switchboard.urls.channelWhatsApp}/webhooks/whatsapp`, webhook, { appSecret: WA_CREDENTIALS.appSecret });
    expect(posted.status).toBe(200);
    await page.getByRole('navigation', { name: 'Розділи' }).getByRole('link', { name: 'Месенджери' }).click();
    const row = page.locator('.chat-row', { hasText: WA_CUSTOMER.name });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByRole('log').getByText('Чи є у вас доставка у Львів?').waitFor();
    await page.getByText('Вікно для відповіді закрите: платформа не прийме вільний текст').waitFor();
    expect(await page.getByRole('button', { name: 'Надіслати', exact: true }).isDisabled()).toBe(true);

    await page.getByRole('button', { name: 'Надіслати шаблон' }).click();
    const picker = page.getByRole('region', { name: 'Шаблон WhatsApp' });
    const select = picker.getByRole('combobox', { name: 'Шаблон', exact: true });
    await select.locator('option', { hasText: 'order_update · uk' }).waitFor({ state: 'attached' });
    // Only approved templates can be sent outside the window.
    expect(await select.locator('option', { hasText: 'spring_sale' }).count()).toBe(0);
    await select.selectOption({ label: 'order_update · uk' });
    await picker.getByRole('textbox', { name: '{{1}}' }).fill('Марко');
    await picker.getByRole('button', { name: 'Надіслати шаблон' }).click();
    await picker.getByRole('alert').getByText('Заповніть параметри: {{2}}').waitFor();
    await picker.getByRole('textbox', { name: '{{2}}' }).fill('№2077');
    await picker.getByText('Вітаємо, Марко! Замовлення №2077 вже в дорозі.').waitFor();

    const sentBefore = graph.sent.length;
    await picker.getByRole('button', { name: 'Надіслати шаблон' }).click();
    const sent = await waitFor(() => graph.sent.slice(sentBefore).find((record) => record.body['type'] === 'template'), {
      timeoutMs: 30_000,
      description: 'the template at the Graph API double',
    });
    expect(sent.body['to']).toBe(WA_CUSTOMER.waId);
    expect(sent.body['template']).toEqual({
      name: 'order_update',
      language: { code: 'uk' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Марко' }, { type: 'text', text: '№2077' }] }],
    });
    await page.getByRole('log').locator('.bubble--outbound', { hasText: 'Вітаємо, Марко! Замовлення №2077 вже в дорозі.' }).waitFor({ timeout: 30_000 });
    expect(await picker.count()).toBe(0);
  }, 60_000);

  it('lists a bridge reply the partner never accepted under the dead letters, and replays it from the connections page', async () => {
    const connected = await stack.client.request<{ connectBridge: { connection: { id: string }; secret: string } }>(
      `mutation ($input: ConnectBridgeInput!) { connectBridge(input: $input) { connection { id } secret } }`,
      { input: { name: 'Console bridge', outboundUrl: partner.url } },
    );
    const { secret } = connected.connectBridge;
    partner.useSecret(secret);
    partner.failAlways({ status: 503, body: 'maintenance' });
    const inbound = await postBridgeMessage({
      baseUrl: stack.switchboard.channelBridge.url,
      connectionId: connected.connectBridge.connection.id,
      secret,
      body: JSON.stringify({ messageId: 'console-bridge-1', customer: BRIDGE_CUSTOMER, message: { text: 'Чи є в наявності?' } }),
      idempotencyKey: 'console-bridge-1',
    });
    expect(inbound.status).toBe(202);
    const chatId = await waitFor(
      async () => {
        const data = await stack.client.request<{ chats: { edges: { node: { id: string; source: { channel: string } } }[] } }>(`{ chats(first: 50) { edges { node { id source { channel } } } } }`);
        return data.chats.edges.find((edge) => edge.node.source.channel === 'BRIDGE')?.node.id;
      },
      { timeoutMs: 20_000, description: 'the bridge chat' },
    );
    const reply = await stack.client.request<{ sendMessage: { message: { id: string } } }>(
      `mutation Reply($input: SendMessageInput!) { sendMessage(input: $input) { message { id } } }`,
      { input: { chatId, text: 'Так, є в наявності.' } },
    );
    const messageId = reply.sendMessage.message.id;
    await waitFor(
      async () => (await stack.client.request<{ bridgeDeadLetters: { commandId: string }[] }>(`{ bridgeDeadLetters { commandId } }`)).bridgeDeadLetters.some((dead) => dead.commandId === messageId),
      { timeoutMs: 30_000, description: 'the reply dead-lettered' },
    );
    partner.clearFailures();

    await page.getByRole('navigation', { name: 'Розділи' }).getByRole('link', { name: 'Підключення' }).click();
    const deadLetters = page.getByRole('region', { name: 'Недоставлені відповіді мостів' });
    const row = deadLetters.locator(`tr[data-command-id="${messageId}"]`);
    await row.getByText('Так, є в наявності.').waitFor();
    await row.getByText('Відповідь партнера: HTTP 503').waitFor();
    expect(await deadLetters.getByRole('button', { name: 'Повторити' }).isDisabled()).toBe(true);
    await row.getByRole('checkbox', { name: `Вибрати відповідь у чат ${BRIDGE_CUSTOMER.id}` }).check();
    await deadLetters.getByRole('button', { name: 'Повторити' }).click();
    await deadLetters.getByRole('status').getByText(`Чат ${BRIDGE_CUSTOMER.id}: відповідь знову в черзі на доставку`).waitFor();
    await deadLetters.getByText('Недоставлених відповідей немає').waitFor();
    await waitFor(() => partner.accepted().find((delivery) => delivery.body?.['deliveryId'] === messageId), {
      timeoutMs: 20_000,
      description: 'the replayed reply at the partner',
    });
  }, 90_000);

  /** The login API's error code for these credentials (undefined when it lets them in). */
  async function loginErrorCode(email: string, password: string): Promise<string | undefined> {
    const response = await fetch(stack.switchboard.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }', variables: { input: { email, password } } }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return body.errors?.[0]?.extensions?.code;
  }
});

/** A 4x3 PNG a customer sends as a photo: small enough that its thumbnail keeps its size (no upscaling). */
const SMALL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEElEQVR42mM4EaABRww4OQAsNg8BSqno0gAAAABJRU5ErkJggg==';

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
