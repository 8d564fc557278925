/*
 * bench/console (issue 9): the operator console's production bundle (first load, gzipped; target < 300 KB)
 * and how smoothly its chat list scrolls with 10,000 chats loaded (frame times in Debian's chromium through
 * playwright-core; 60 fps is 16.7 ms a frame). The product runs standalone in this process, the chats are
 * written by Telegram customers through the Bot API double, exactly as real ones arrive.
 *
 *   npm run bench:console -- [--chats N] [--scroll-seconds S]
 *
 * Report (markdown) on stdout, progress on stderr. A bench, not a test: it prints, it does not judge.
 */
import { startEmbeddedPostgres } from '@switchboard/persistence';
import { createLogger } from '@switchboard/service-kit';
import { startSwitchboard } from '@switchboard/standalone';
import { TelegramBotApiDouble } from '@switchboard/testing';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const REPO = join(__dirname, '..', '..', '..');
const CONSOLE_DIR = join(REPO, 'apps', 'console', 'dist');
const ADMIN = { email: 'bench@switchboard.local', password: 'bench-console-password', name: 'Bench Admin' };
const BOT = { token: '424242:BENCH-console-bot-token', id: 424242, username: 'switchboard_bench_bot', firstName: 'Bench' };
const ROW_HEIGHT = 68;

/*
 * In-page code, as strings: it runs in the browser, and this package is type-checked for Node (no DOM).
 */
/** Scrolls the list to its end (loading the next page) and returns the height of everything loaded. */
const SCROLL_TO_END = `(() => { const list = document.querySelector('.chat-list'); list.scrollTop = list.scrollHeight; return list.firstElementChild.offsetHeight; })()`;
const LIST_AT_TOP = `document.querySelector('.chat-list').scrollTop <= 0`;
const LIST_AT_BOTTOM = `(() => { const l = document.querySelector('.chat-list'); return l.scrollTop + l.clientHeight >= l.scrollHeight - 1; })()`;
/** Records the time between animation frames until stopped: what the operator feels as smoothness. */
const START_FRAME_RECORDER = `(() => {
  const frames = [];
  let last = performance.now();
  window.benchFrames = frames;
  const tick = (now) => { frames.push(now - last); last = now; if (window.benchFrames === frames) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
})()`;
const STOP_FRAME_RECORDER = `(() => { const frames = window.benchFrames || []; window.benchFrames = undefined; return frames.slice(1); })()`;

const log = (message: string) => process.stderr.write(`${new Date().toISOString()} ${message}\n`);

/** What a browser downloads on first load: index.html and every script and stylesheet it references. */
function firstLoadBytes(): { file: string; raw: number; gzip: number }[] {
  const html = readFileSync(join(CONSOLE_DIR, 'index.html'));
  const assets = [...html.toString().matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1]!);
  return [{ file: 'index.html', body: html }, ...assets.map((file) => ({ file, body: readFileSync(join(CONSOLE_DIR, file)) }))].map(({ file, body }) => ({
    file,
    raw: body.length,
    gzip: gzipSync(body, { level: 9 }).length,
  }));
}

async function graphql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { chats: { type: 'string', default: '10000' }, 'scroll-seconds': { type: 'string', default: '8' } } });
  const chatCount = Number(values.chats);
  const scrollSeconds = Number(values['scroll-seconds']);

  log('building the console if stale');
  execFileSync('node', [join(REPO, 'apps', 'console', 'scripts', 'build-if-stale.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
  const bundle = firstLoadBytes();

  const database = await startEmbeddedPostgres({});
  const telegram = new TelegramBotApiDouble({ requireKnownChat: false });
  await telegram.start();
  telegram.registerBot(BOT);
  const switchboard = await startSwitchboard({
    databaseUrl: database.url,
    jwtSecret: randomBytes(32).toString('hex'),
    credentialsKey: randomBytes(32).toString('base64'),
    telegramApiBaseUrl: telegram.baseUrl,
    telegramPollTimeoutSeconds: 1,
    admin: ADMIN,
    consoleDir: CONSOLE_DIR,
    logger: createLogger('bench-console', 'warn', { nameKey: 'process' }),
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const url = switchboard.gateway.url;
    const { login } = await graphql<{ login: { accessToken: string } }>(url, `mutation L($input: LoginInput!) { login(input: $input) { accessToken } }`, {
      input: { email: ADMIN.email, password: ADMIN.password },
    });
    await graphql(url, `mutation C($input: ConnectTelegramBotInput!) { connectTelegramBot(input: $input) { connection { id } } }`, { input: { token: BOT.token } }, login.accessToken);

    log(`seeding ${chatCount} chats through the Telegram double`);
    const seedStart = Date.now();
    for (let i = 0; i < chatCount; i++) {
      telegram.customer(BOT.token, { id: 800_000 + i, firstName: `Клієнт ${i + 1}`, username: `customer_${i + 1}` }).sendText(`Добрий день! Питання про замовлення №${10_000 + i}`);
    }
    for (;;) {
      const { chats } = await graphql<{ chats: { totalCount: number } }>(url, `{ chats(first: 1) { totalCount } }`, {}, login.accessToken);
      if (chats.totalCount >= chatCount) break;
      if (Date.now() - seedStart > 15 * 60_000) throw new Error(`only ${chats.totalCount} of ${chatCount} chats after 15 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const seedSeconds = (Date.now() - seedStart) / 1000;
    log(`seeded in ${seedSeconds.toFixed(1)} s`);

    const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    const loadStart = Date.now();
    await page.goto(url.replace(/\/graphql$/, '/'));
    await page.getByLabel('Електронна пошта').fill(ADMIN.email);
    await page.getByLabel('Пароль').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Увійти' }).click();
    await page.locator('.chat-row').first().waitFor();
    const firstRowsMs = Date.now() - loadStart;

    log('scrolling to the end: every page of 100 chats loads on the way');
    const list = page.locator('.chat-list');
    const loadAllStart = Date.now();
    for (;;) {
      const loaded = Number(await page.evaluate(SCROLL_TO_END));
      if (loaded >= chatCount * ROW_HEIGHT) break;
      if (Date.now() - loadAllStart > 10 * 60_000) throw new Error('the list did not load every chat in 10 minutes');
      await page.waitForTimeout(50);
    }
    const loadAllSeconds = (Date.now() - loadAllStart) / 1000;
    const domRows = await page.locator('.chat-row').count();

    log(`measuring frame times while wheel-scrolling ${scrollSeconds} s through ${chatCount} loaded rows`);
    await list.hover();
    await page.evaluate(START_FRAME_RECORDER);
    const scrollEnd = Date.now() + scrollSeconds * 1000;
    let direction = -1;
    while (Date.now() < scrollEnd) {
      const atEdge = Boolean(await page.evaluate(direction < 0 ? LIST_AT_TOP : LIST_AT_BOTTOM));
      if (atEdge) direction = -direction;
      await page.mouse.wheel(0, direction * 600);
      await page.waitForTimeout(16);
    }
    const frames = (await page.evaluate(STOP_FRAME_RECORDER)) as number[];
    const sorted = [...frames].sort((a, b) => a - b);
    const over = (ms: number) => ((100 * frames.filter((f) => f > ms).length) / Math.max(1, frames.length)).toFixed(1);

    const totalGzip = bundle.reduce((sum, file) => sum + file.gzip, 0);
    process.stdout.write(
      [
        '## Operator console bench',
        '',
        `Chromium ${browser.version()}, headless, --disable-gpu; ${chatCount} chats (standalone, seeded in ${seedSeconds.toFixed(1)} s).`,
        '',
        '| first-load file | bytes | gzipped |',
        '|---|---|---|',
        ...bundle.map((file) => `| ${file.file} | ${file.raw} | ${file.gzip} |`),
        `| **total** | ${bundle.reduce((sum, file) => sum + file.raw, 0)} | **${totalGzip} (${(totalGzip / 1024).toFixed(1)} KiB)** |`,
        '',
        `- login to first rows: ${firstRowsMs} ms; all ${chatCount} rows loaded by scrolling in ${loadAllSeconds.toFixed(1)} s; rows in the DOM: ${domRows}`,
        `- wheel scroll over ${chatCount} loaded rows, ${frames.length} frames: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)} ms; frames that missed a vsync (over 25 ms): ${over(25)} %, over 50 ms: ${over(50)} %`,
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await switchboard.stop();
    await telegram.stop();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
