// End-to-end smoke test of the web shell against a running lienthong server.
//
//   BASE_URL=http://127.0.0.1:8080 npm run test:browser
//
// Env: BASE_URL (required, else skipped), LT_USER / LT_PASSWORD (an account
// without forced password change; default sysadmin / Demo@2025),
// SCREENSHOT_DIR (default ../build/screenshots, relative to web/),
// CHROMIUM (default /usr/bin/chromium). Uses the system Chromium through
// playwright-core: no browser is downloaded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const LT_USER = process.env.LT_USER || 'sysadmin';
const LT_PASSWORD = process.env.LT_PASSWORD || 'Demo@2025';
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR
  ? path.resolve(process.cwd(), process.env.SCREENSHOT_DIR)
  : path.resolve(WEB_DIR, '../build/screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const skip = BASE_URL ? false : 'BASE_URL is not set: skipping the browser test (e.g. BASE_URL=http://127.0.0.1:8080)';

test('web shell: login, home (vi/en), account, logout', { skip, timeout: 90_000 }, async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 20_000 });
  /** 'anon': 401 from /api/v1/me is expected; 'wrong-password': 401 from login is expected. */
  let phase = 'anon';
  const allowedUrls = new Set();
  const problems = [];
  const consoleErrors = [];

  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);

  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push({ text: msg.text(), url: msg.location()?.url || '' });
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => {
    problems.push(`request failed: ${req.method()} ${req.url()} (${req.failure()?.errorText ?? '?'})`);
  });
  page.on('response', (res) => {
    const status = res.status();
    if (status < 400) return;
    const url = res.url();
    const pathname = new URL(url).pathname;
    const expected =
      (status === 401 && pathname === '/api/v1/me' && phase === 'anon') ||
      (status === 401 && pathname === '/api/v1/auth/login' && phase === 'wrong-password');
    if (expected) allowedUrls.add(url);
    else problems.push(`HTTP ${status}: ${res.request().method()} ${url} (phase ${phase})`);
  });

  const shot = (name) => page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true });
  const pathOf = () => new URL(page.url()).pathname;

  try {
    // 1. Anonymous visit is sent to /login, in Vietnamese.
    await page.goto(BASE_URL + '/');
    await page.waitForURL((u) => u.pathname === '/login');
    const title = page.getByTestId('login-title');
    await title.waitFor();
    assert.equal((await title.textContent())?.trim(), 'Đăng nhập');
    assert.equal(await page.locator('html').getAttribute('lang'), 'vi');
    await page.getByLabel('Tên đăng nhập').waitFor();
    await page.getByLabel('Mật khẩu').waitFor();
    await shot('login-vi.png');

    // 2. A wrong password shows an error and stays on /login.
    phase = 'wrong-password';
    await page.getByTestId('login-username').fill(LT_USER);
    await page.getByTestId('login-password').fill(`wrong-${Date.now()}`);
    await page.getByTestId('login-submit').click();
    const loginError = page.getByTestId('login-error');
    await loginError.waitFor();
    assert.ok(((await loginError.textContent()) || '').trim().length > 0, 'login error message is empty');
    assert.equal(pathOf(), '/login');

    // 3. Correct credentials lead home.
    await page.getByTestId('login-password').fill(LT_PASSWORD);
    const [loginResponse] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/auth/login' && r.request().method() === 'POST'),
      page.getByTestId('login-submit').click(),
    ]);
    assert.equal(loginResponse.status(), 200, `login as ${LT_USER} failed with HTTP ${loginResponse.status()}`);
    const { account } = await loginResponse.json();
    phase = 'authed';
    assert.ok(account && account.display_name, 'login response has no account.display_name');
    assert.equal(account.must_change_password, false, `${LT_USER} must change password: use another LT_USER`);

    await page.waitForURL((u) => u.pathname === '/');
    const greeting = page.getByTestId('home-greeting');
    await greeting.waitFor();
    assert.equal((await greeting.textContent())?.trim(), `Xin chào, ${account.display_name}!`);
    await page.getByTestId('logout').waitFor();
    assert.equal((await page.getByTestId('nav-home').textContent())?.trim(), 'Trang chủ');
    await shot('home-vi.png');

    // 4. English, remembered across a reload.
    await page.getByTestId('lang-en').click();
    await page.getByText(`Welcome, ${account.display_name}!`).waitFor();
    assert.equal((await page.getByTestId('nav-home').textContent())?.trim(), 'Home');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    assert.equal(await page.getByTestId('lang-en').getAttribute('aria-pressed'), 'true');
    await page.reload();
    await page.getByText(`Welcome, ${account.display_name}!`).waitFor();
    await shot('home-en.png');

    // 5. Back to Vietnamese.
    await page.getByTestId('lang-vi').click();
    await page.getByText(`Xin chào, ${account.display_name}!`).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'vi');

    // 6. Account page, by the menu and by a direct load (needs the server's SPA fallback).
    await page.getByTestId('nav-account').click();
    await page.waitForURL((u) => u.pathname === '/account');
    await page.getByTestId('account-page').waitFor();
    await page.getByRole('heading', { name: 'Tài khoản của tôi' }).waitFor();
    assert.equal((await page.getByTestId('account-username').textContent())?.trim(), account.username);
    await page.getByLabel('Mật khẩu hiện tại').waitFor();
    await page.goto(BASE_URL + '/account');
    await page.getByTestId('account-page').waitFor();
    await shot('account-vi.png');

    // 7. Administrators also see the account list (read only: nothing is changed).
    if (account.role === 'system-admin' || account.role === 'province-admin') {
      await page.getByTestId('nav-admin').click();
      await page.waitForURL((u) => u.pathname === '/admin/accounts');
      await page.getByTestId('accounts-table').waitFor();
      await shot('admin-accounts-vi.png');
    } else {
      assert.equal(await page.getByTestId('nav-admin').count(), 0, 'non-admin sees the admin menu');
    }

    // 8. Logout returns to /login; protected pages then redirect there again.
    await page.getByTestId('logout').click();
    await page.waitForURL((u) => u.pathname === '/login');
    phase = 'anon';
    await page.getByTestId('login-title').waitFor();
    await page.goto(BASE_URL + '/account');
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByTestId('login-title').waitFor();
  } catch (e) {
    await shot('failure.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }

  const unexpectedConsole = consoleErrors.filter(
    (c) => !(allowedUrls.has(c.url) && /status of 401/.test(c.text)),
  );
  for (const c of unexpectedConsole) problems.push(`console error: ${c.text}${c.url ? ` (${c.url})` : ''}`);
  assert.deepEqual(problems, [], `unexpected browser problems:\n${problems.join('\n')}`);
});
