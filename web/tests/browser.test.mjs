// End-to-end smoke test of the web shell against a running lienthong server.
//
//   BASE_URL=http://127.0.0.1:8080 npm run test:browser
//
// Env: BASE_URL (required, else skipped), LT_USER / LT_PASSWORD (an account
// without forced password change; default sysadmin / Demo@2025),
// LT_CSV_USER / LT_CSV_PASSWORD (the account that converts a CSV file; default
// chuyenvien / LT_PASSWORD), SCREENSHOT_DIR (default ../build/screenshots,
// relative to web/), CHROMIUM (default /usr/bin/chromium). Uses the system
// Chromium through playwright-core: no browser is downloaded.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const LT_USER = process.env.LT_USER || 'sysadmin';
const LT_PASSWORD = process.env.LT_PASSWORD || 'Demo@2025';
const LT_CSV_USER = process.env.LT_CSV_USER || 'chuyenvien';
const LT_CSV_PASSWORD = process.env.LT_CSV_PASSWORD || LT_PASSWORD;
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

/**
 * Launches Chromium with one page that records every browser problem: console
 * errors, page errors, failed requests and HTTP errors other than the expected
 * 401s ('anon': GET /api/v1/me; 'wrong-password': the login). Call finish() last.
 */
async function openBrowser() {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 20_000 });
  const s = { phase: 'anon' };
  const allowedUrls = new Set();
  const problems = [];
  const consoleErrors = [];

  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    acceptDownloads: true,
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
      (status === 401 && pathname === '/api/v1/me' && s.phase === 'anon') ||
      (status === 401 && pathname === '/api/v1/auth/login' && s.phase === 'wrong-password');
    if (expected) allowedUrls.add(url);
    else problems.push(`HTTP ${status}: ${res.request().method()} ${url} (phase ${s.phase})`);
  });

  return {
    browser,
    page,
    s,
    shot: (name) => page.screenshot({ path: path.join(SCREENSHOT_DIR, name), fullPage: true }),
    pathOf: () => new URL(page.url()).pathname,
    /** Asserts that nothing unexpected happened in the browser. */
    finish() {
      const unexpectedConsole = consoleErrors.filter(
        (c) => !(allowedUrls.has(c.url) && /status of 401/.test(c.text)),
      );
      for (const c of unexpectedConsole) problems.push(`console error: ${c.text}${c.url ? ` (${c.url})` : ''}`);
      assert.deepEqual(problems, [], `unexpected browser problems:\n${problems.join('\n')}`);
    },
  };
}

test('web shell: login, home (vi/en), account, logout', { skip, timeout: 90_000 }, async () => {
  const { browser, page, s, shot, pathOf, finish } = await openBrowser();

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
    s.phase = 'wrong-password';
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
    s.phase = 'authed';
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
    s.phase = 'anon';
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
  finish();
});

// ---- address conversion -----------------------------------------------------------------------

// Phường Phúc Xá (00001) went whole into Phường Hồng Hà (00097): one answer.
const WHOLE = {
  address: 'Số 5 phố Nghĩa Dũng, phường Phúc Xá, quận Ba Đình, Hà Nội',
  communeName: 'Phường Hồng Hà',
  communeCode: '00097',
  oldCommune: 'Phúc Xá',
};
// Phường Dịch Vọng Hậu (00167) was split between Phường Nghĩa Đô (00160) and Phường Cầu Giấy
// (00166) (data/admin-units/old_to_new_communes.csv, n_new_targets = 2): no single answer.
const SPLIT = {
  address: 'Phường Dịch Vọng Hậu, Quận Cầu Giấy, Thành phố Hà Nội',
  candidates: [
    { code: '00160', name: 'Phường Nghĩa Đô' },
    { code: '00166', name: 'Phường Cầu Giấy' },
  ],
};
const APPENDED_COLUMNS = [
  'status',
  'new_address',
  'new_commune_code',
  'new_commune_name',
  'new_province_code',
  'new_province_name',
  'confidence',
  'candidates',
  'reason',
];

/** RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF) -> array of rows; a UTF-8 BOM is skipped. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Waits for the answer of `pathname` triggered by `action`; fails clearly on a 404 (route missing). */
async function answerOf(page, pathname, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === pathname && r.request().method() === 'POST'),
    action(),
  ]);
  assert.notEqual(res.status(), 404, `POST ${pathname} answered 404: does the server have this route?`);
  if (res.status() !== 200) {
    const text = await res.text().catch(() => '');
    assert.fail(`POST ${pathname} failed with HTTP ${res.status()}: ${text}`);
  }
  return res;
}

test('address conversion: one address (public), a CSV file (signed in)', { skip, timeout: 120_000 }, async () => {
  const { browser, page, s, shot, pathOf, finish } = await openBrowser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-convert-'));

  try {
    // 1. /convert is public: no redirect to /login; the menu offers it.
    await page.goto(BASE_URL + '/convert');
    await page.getByRole('heading', { level: 1, name: 'Chuyển đổi địa chỉ' }).waitFor();
    assert.equal(pathOf(), '/convert');
    assert.equal(await page.getByTestId('nav-convert').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('convert-live').getAttribute('aria-live'), 'polite');

    // 2. A whole-merged commune, by keyboard only (type, Enter): converted, with the new commune and code.
    const addressField = page.getByLabel('Địa chỉ cũ');
    await addressField.focus();
    await page.keyboard.type(WHOLE.address);
    await answerOf(page, '/api/v1/addresses/convert', () => page.keyboard.press('Enter'));
    await page.getByTestId('convert-result').waitFor();
    assert.equal((await page.getByTestId('convert-status').textContent())?.trim(), 'Đã chuyển đổi');
    const commune = (await page.getByTestId('convert-new-commune').textContent()) || '';
    assert.ok(commune.includes(WHOLE.communeName), `new commune "${commune}" lacks ${WHOLE.communeName}`);
    assert.ok(commune.includes(WHOLE.communeCode), `new commune "${commune}" lacks code ${WHOLE.communeCode}`);
    const newAddress = (await page.getByTestId('convert-new-address').textContent()) || '';
    assert.ok(newAddress.includes(WHOLE.communeName), `new address "${newAddress}" lacks ${WHOLE.communeName}`);
    assert.match((await page.getByTestId('convert-confidence').textContent()) || '', /\d\s?%/);
    const matchedCommune = (await page.getByTestId('convert-matched-commune').textContent()) || '';
    assert.ok(matchedCommune.includes(WHOLE.oldCommune), `old commune not recognised: "${matchedCommune}"`);
    assert.equal(await page.getByTestId('convert-candidates').count(), 0, 'candidates shown for a converted address');
    await shot('convert-vi.png');

    // 3. A split commune: not uniquely determined, with the new communes it may now be in.
    await addressField.fill(SPLIT.address);
    await answerOf(page, '/api/v1/addresses/convert', () => page.getByTestId('convert-submit').click());
    await page.getByText('Chưa xác định duy nhất').waitFor();
    await page.getByTestId('convert-candidates').waitFor();
    for (const c of SPLIT.candidates) {
      const item = (await page.getByTestId(`convert-candidate-${c.code}`).textContent()) || '';
      assert.ok(item.includes(c.name), `candidate ${c.code} is "${item}", expected ${c.name}`);
    }
    await shot('convert-ambiguous-vi.png');

    // 4. /convert/csv needs signing in, and comes back after it.
    await page.goto(BASE_URL + '/convert/csv');
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByTestId('login-username').fill(LT_CSV_USER);
    await page.getByTestId('login-password').fill(LT_CSV_PASSWORD);
    const login = await answerOf(page, '/api/v1/auth/login', () => page.getByTestId('login-submit').click());
    s.phase = 'authed';
    assert.equal((await login.json()).account?.must_change_password, false, `${LT_CSV_USER} must change password`);
    await page.waitForURL((u) => u.pathname === '/convert/csv');
    await page.getByRole('heading', { level: 1, name: 'Chuyển đổi tệp CSV' }).waitFor();

    // 5. Not a CSV file: refused before any upload.
    await page.getByTestId('csv-file').setInputFiles({
      name: 'ghi-chu.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('không phải CSV\n'),
    });
    await page.getByText('Tệp phải có định dạng CSV').waitFor();

    // 6. Three rows (one whole-merged, one split, one garbage); the address column is preselected.
    const csvPath = path.join(tmp, 'dia-chi.csv');
    fs.writeFileSync(
      csvPath,
      'ma,dia_chi,ghi_chu\r\n' +
        `1,"${WHOLE.address}",mot\r\n` +
        `2,"${SPLIT.address}",hai\r\n` +
        '3,"@@@ ### ???",ba\r\n',
    );
    await page.getByTestId('csv-file').setInputFiles(csvPath);
    await page.getByTestId('csv-file-info').waitFor();
    assert.equal(await page.getByTestId('csv-column').inputValue(), 'dia_chi');
    const upload = await answerOf(page, '/api/v1/addresses/convert-csv', () => page.getByTestId('csv-submit').click());
    assert.equal(new URL(upload.url()).searchParams.get('column'), 'dia_chi');
    assert.match(upload.headers()['x-conversion-summary'] || '', /converted=\d+/, 'no X-Conversion-Summary header');
    await page.getByTestId('csv-summary').waitFor();
    for (const status of ['converted', 'ambiguous', 'unresolved']) {
      assert.equal((await page.getByTestId(`csv-count-${status}`).textContent())?.trim(), '1', `${status} count`);
    }
    assert.equal((await page.getByTestId('csv-count-total').textContent())?.trim(), '3');
    await shot('convert-csv-vi.png');

    // 7. The download: the input rows in order, with the 9 columns appended.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-download').click()]);
    assert.equal(download.suggestedFilename(), 'dia-chi-converted.csv');
    const saved = path.join(tmp, 'out.csv');
    await download.saveAs(saved);
    const rows = parseCsv(fs.readFileSync(saved, 'utf8')).filter((r) => !(r.length === 1 && r[0] === ''));
    assert.deepEqual(rows[0], ['ma', 'dia_chi', 'ghi_chu', ...APPENDED_COLUMNS]);
    assert.equal(rows.length, 4, `expected a header and 3 rows, got ${rows.length} rows`);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[2], r[3 + APPENDED_COLUMNS.indexOf('status')]]),
      [
        ['1', 'mot', 'converted'],
        ['2', 'hai', 'ambiguous'],
        ['3', 'ba', 'unresolved'],
      ],
    );
    assert.equal(rows[1][3 + APPENDED_COLUMNS.indexOf('new_commune_code')], WHOLE.communeCode);
    for (const r of rows.slice(1)) assert.equal(r.length, 3 + APPENDED_COLUMNS.length, `row ${r[0]} has ${r.length} fields`);
  } catch (e) {
    await shot('failure-convert.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  finish();
});
