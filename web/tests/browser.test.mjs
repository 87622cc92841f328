// End-to-end smoke test of the web shell against a running lienthong server.
//
//   BASE_URL=http://127.0.0.1:8080 npm run test:browser
//
// Env: BASE_URL (required, else skipped), LT_USER / LT_PASSWORD (an account
// without forced password change; default sysadmin / Demo@2025),
// LT_CSV_USER / LT_CSV_PASSWORD (the account that converts a CSV file; default
// chuyenvien / LT_PASSWORD), LT_DEMO_PASSWORD (the demo accounts of the registry
// test: tinh.admin, chuyenvien, congdan; default Demo@2025), LT_DEMO_API_KEY (the demo member system's
// API key the exchange test calls the gateway with), SCREENSHOT_DIR (default ../build/screenshots,
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
 * 401s ('anon': GET /api/v1/me; 'wrong-password': the login) and the answers a
 * step lists in s.allowed. Call finish() last.
 */
async function openBrowser() {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (set CHROMIUM=...)`);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, timeout: 20_000 });
  // allowed: "STATUS /path" answers a step expects (e.g. "403 /api/v1/registries/…"), set by that step.
  const s = { phase: 'anon', allowed: new Set() };
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
      (status === 401 && pathname === '/api/v1/auth/login' && s.phase === 'wrong-password') ||
      s.allowed.has(`${status} ${pathname}`);
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
        (c) => !(allowedUrls.has(c.url) && /status of \d{3}/.test(c.text)),
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

// ---- base registries: lookup, data quality, a citizen's access log ----------------------------

// The demo accounts (scripts/test.sh imports data/demo/*.csv, then starts the server with --demo).
const DEMO_PASSWORD = process.env.LT_DEMO_PASSWORD || 'Demo@2025';
const REG = {
  importer: 'sysadmin', // imports the test data (it spans two provinces)
  admin: 'tinh.admin', // province admin of Hà Nội (01): sees the quality report
  official: 'chuyenvien', // specialist in Phường Ba Đình: looks records up
  officialName: 'Trần Văn Minh',
  citizen: 'congdan', // verified citizen whose personal ID is 001190012345
  source: 'csdl-dan-cu-thu-nghiem',
  // scripts/test.sh imports data/demo/citizens.csv first (the same person, same data): then that
  // import stays the source of her fields and of version 1, and the test's import changes nothing.
  sources: ['csdl-dan-cu-thu-nghiem', 'import:citizens.csv'],
};
// The demo citizen: her old address (Phường Trúc Bạch, Quận Ba Đình) is now in Phường Ba Đình (00004).
const CITIZEN = { id: '001190012345', name: 'Phạm Thị Hường', commune: 'Phường Ba Đình' };
const OUT_OF_SCOPE = '079185001234'; // Thành phố Hồ Chí Minh: outside a Hà Nội official's province
const UNKNOWN_ID = '001199999999';
const CITIZENS_CSV =
  'id_number,full_name,birth_date,sex,ethnicity,nationality,permanent_address,current_address,household_id\n' +
  `${CITIZEN.id},${CITIZEN.name},1990-03-04,F,Kinh,VN,"Số 1 Hàng Bún, Phường Trúc Bạch, Quận Ba Đình, Hà Nội",,HK01\n` +
  '001088004321,Nguyễn Văn An,1988-07-15,M,Kinh,VN,"Số 5 phố Nghĩa Dũng, phường Phúc Xá, quận Ba Đình, Hà Nội",,HK02\n' +
  `${OUT_OF_SCOPE},Lê Thị Mai,1985-05-20,F,Kinh,VN,"12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh",,\n`;

/** POST /api/v1/auth/login outside the browser; returns the bearer token. */
async function apiToken(username, password) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await res.text();
  assert.equal(res.status, 200, `API login as ${username}: HTTP ${res.status} ${body}`);
  return JSON.parse(body).token;
}

/** Signs in on /login (reached by a redirect) and waits until the app has left it. */
async function signIn(page, s, username, password) {
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(password);
  const login = await answerOf(page, '/api/v1/auth/login', () => page.getByTestId('login-submit').click());
  s.phase = 'authed';
  assert.equal((await login.json()).account?.must_change_password, false, `${username} must change password`);
  await page.waitForURL((u) => u.pathname !== '/login');
}

/** Signs out and opens `path` (may have a query) signed in as `username` (through the /login redirect). */
async function openAs(page, s, username, path) {
  if (s.phase === 'authed') {
    await page.getByTestId('logout').click();
    await page.waitForURL((u) => u.pathname === '/login');
  }
  s.phase = 'anon';
  await page.goto(BASE_URL + path);
  await page.waitForURL((u) => u.pathname === '/login');
  await signIn(page, s, username, DEMO_PASSWORD);
  await page.waitForURL((u) => u.pathname + u.search === path);
}

/** Imports the test citizens as REG.importer through the API (idempotent: a rerun changes nothing). */
async function importCitizens() {
  const token = await apiToken(REG.importer, DEMO_PASSWORD);
  const imp = await fetch(`${BASE_URL}/api/v1/registries/citizens/import?source=${REG.source}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'text/csv; charset=utf-8',
      Accept: 'application/json',
    },
    body: CITIZENS_CSV,
  });
  const impBody = await imp.text();
  assert.equal(imp.status, 200, `citizens import: HTTP ${imp.status} ${impBody}`);
  const { summary } = JSON.parse(impBody);
  assert.equal(summary.rows, 3, `import summary ${JSON.stringify(summary)}`);
  assert.equal(summary.rejected, 0, `import summary ${JSON.stringify(summary)}`);
}

const text = async (locator) => ((await locator.textContent()) || '').trim();

test('registries: lookup with provenance, data quality, my data access log', { skip, timeout: 150_000 }, async () => {
  // 1. Data first, through the API (importing again changes nothing: it is idempotent).
  await importCitizens();

  const { browser, page, s, shot, pathOf, finish } = await openBrowser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-registry-'));
  const recordPath = (key) => `/api/v1/registries/citizens/records/${key}`;

  try {
    // 2. A specialist looks the demo citizen up: name, converted commune, source of each field.
    await openAs(page, s, REG.official, '/registry');
    await page.getByRole('heading', { level: 1, name: 'Tra cứu dữ liệu dân cư' }).waitFor();
    assert.equal(await page.getByTestId('nav-registry').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('nav-quality').count(), 0, 'a specialist sees the quality menu');
    assert.equal(await page.getByTestId('nav-my-data').count(), 0, 'an official sees the citizen menu');
    const notice = await text(page.getByTestId('registry-logged-notice'));
    assert.match(notice, /Lượt xem này được ghi vào nhật ký truy cập dữ liệu cá nhân/);
    assert.equal(await page.getByTestId('registry-select').inputValue(), 'citizens');

    await page.getByLabel('Số định danh cá nhân').fill(CITIZEN.id);
    await page.getByLabel('Mục đích tra cứu (không bắt buộc)').fill('Kiểm tra hồ sơ thử nghiệm');
    const [read] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === recordPath(CITIZEN.id)),
      page.getByTestId('registry-submit').click(),
    ]);
    assert.equal(read.status(), 200, `GET ${recordPath(CITIZEN.id)}: HTTP ${read.status()}`);
    assert.equal(new URL(read.url()).searchParams.get('purpose'), 'Kiểm tra hồ sơ thử nghiệm');
    await page.getByTestId('registry-record').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('key'), CITIZEN.id);
    assert.equal(await text(page.getByTestId('registry-record-title')), CITIZEN.name);
    assert.equal(await text(page.getByTestId('registry-value-full_name')), CITIZEN.name);
    const address = await text(page.getByTestId('registry-value-permanent_address'));
    assert.ok(address.includes(CITIZEN.commune), `permanent address "${address}" lacks ${CITIZEN.commune}`);
    await page.getByTestId('registry-value-permanent_commune_code').filter({ hasText: CITIZEN.commune }).waitFor();
    assert.equal(await text(page.getByTestId('registry-value-sex')), 'Nữ');
    const source = await text(page.getByTestId('registry-source-full_name'));
    assert.ok(REG.sources.includes(source), `source of full_name: "${source}"`);
    assert.equal(await text(page.getByTestId('registry-source-permanent_address')), source);
    const warning = await text(page.getByTestId('registry-warning-unified.address_converted'));
    assert.ok(
      warning.includes('Địa chỉ cũ đã chuyển sang đơn vị hành chính mới'),
      `warning explanation missing: "${warning}"`,
    );
    // History: version 1, created by the import.
    await page.getByRole('heading', { name: 'Lịch sử' }).waitFor();
    const v1 = page.getByTestId('registry-version-1');
    await v1.waitFor();
    assert.ok((await text(v1)).includes(source), 'history lacks the source of version 1');
    await shot('registry-vi.png');

    // 3. Outside the official's province: refused (403); an unknown ID: not found (404).
    s.allowed.add(`403 ${recordPath(OUT_OF_SCOPE)}`);
    await page.getByLabel('Số định danh cá nhân').fill(OUT_OF_SCOPE);
    await page.getByTestId('registry-submit').click();
    assert.match(await text(page.getByTestId('registry-forbidden')), /Bản ghi ngoài phạm vi quản lý của bạn/);
    assert.equal(await page.getByTestId('registry-record').count(), 0, 'a refused record is shown');
    s.allowed.add(`404 ${recordPath(UNKNOWN_ID)}`);
    await page.getByLabel('Số định danh cá nhân').fill(UNKNOWN_ID);
    await page.getByTestId('registry-submit').click();
    const notFound = await text(page.getByTestId('registry-not-found'));
    assert.ok(notFound.includes(`Không tìm thấy bản ghi ${UNKNOWN_ID}`), `not-found message: "${notFound}"`);

    // 4. The province admin's quality report: the converted addresses, their list, the CSV.
    await openAs(page, s, REG.admin, '/registry/quality');
    await page.getByRole('heading', { level: 1, name: 'Chất lượng dữ liệu' }).waitFor();
    const row = page.getByTestId('quality-rule-unified.address_converted');
    await row.waitFor();
    const count = Number((await text(page.getByTestId('quality-count-unified.address_converted'))).replace(/\D/g, ''));
    assert.ok(count >= 1, `unified.address_converted count is ${count}`);
    assert.match(await text(page.getByTestId('quality-rate-unified.address_converted')), /\d\s?%/);
    const rowText = await text(row);
    assert.ok(rowText.includes('Thống nhất'), `rule kind missing: "${rowText}"`);
    const description = 'Địa chỉ cũ đã chuyển sang đơn vị hành chính mới';
    assert.ok(rowText.includes(description), `rule description missing: "${rowText}"`);
    await page.getByTestId('quality-unit-name').filter({ hasText: 'Thành phố Hà Nội' }).waitFor();

    await page.getByTestId('quality-open-unified.address_converted').click();
    await page.getByTestId('quality-drill').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('rule'), 'unified.address_converted');
    const keyLink = page.getByTestId(`quality-key-${CITIZEN.id}`);
    await keyLink.waitFor();
    assert.equal(await keyLink.getAttribute('href'), `/registry?registry=citizens&key=${CITIZEN.id}`);
    await shot('quality-vi.png');

    const csvLink = page.getByTestId('quality-csv');
    assert.match((await csvLink.getAttribute('href')) || '', /\/api\/v1\/registries\/citizens\/quality\?.*format=csv/);
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    const saved = path.join(tmp, 'quality.csv');
    await download.saveAs(saved);
    const rows = parseCsv(fs.readFileSync(saved, 'utf8'));
    assert.deepEqual(rows[0], ['registry', 'unit', 'rule', 'count', 'rate', 'total']);
    assert.ok(rows.some((r) => r[2] === 'unified.address_converted' && Number(r[3]) >= 1), 'CSV lacks the rule');

    // The key opens the lookup page with the record.
    await keyLink.click();
    await page.waitForURL((u) => u.pathname === '/registry' && u.searchParams.get('key') === CITIZEN.id);
    await page.getByTestId('registry-record').waitFor();
    assert.equal(await text(page.getByTestId('registry-record-title')), CITIZEN.name);

    // 5. The citizen sees who read her data: the specialist, granted.
    await openAs(page, s, REG.citizen, '/me/data');
    await page.getByRole('heading', { level: 1, name: 'Dữ liệu của tôi và ai đã xem' }).waitFor();
    assert.equal(await page.getByTestId('nav-registry').count(), 0, 'a citizen sees the registry menu');
    assert.equal(await page.getByTestId('nav-my-data').getAttribute('aria-current'), 'page');
    await page.getByTestId('my-data-table').waitFor();
    const readerRow = page
      .getByTestId('my-data-row')
      .filter({ has: page.getByText(REG.officialName, { exact: true }) });
    assert.ok((await readerRow.count()) >= 1, `no access by ${REG.officialName} listed`);
    const first = await text(readerRow.first());
    assert.ok(/Được cung cấp/.test(first), `outcome not shown in Vietnamese: "${first}"`);
    assert.ok(first.includes('Chuyên viên'), `reader role not shown: "${first}"`);
    await shot('my-data-vi.png');
    assert.equal(pathOf(), '/me/data');
  } catch (e) {
    await shot('failure-registry.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  finish();
});

// ---- personal data store: a citizen's own documents, the officials' view ----------------------

const PDS = {
  officer: 'motcua', // one-stop officer in Phường Ba Đình (pds.write)
  officerName: 'Nguyễn Thị Lan',
  specialist: 'chuyenvien', // pds.read only
};
// A small PDF (the server checks the first bytes "%PDF-"); the same bytes again are the same document.
const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
    '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n' +
    'trailer << /Root 1 0 R >>\n%%EOF\n',
);
const PDF_TITLE = 'Giấy khai sinh (bản sao điện tử)';

test('personal data store: my documents (citizen), the store on the record (officials)', { skip, timeout: 150_000 }, async () => {
  // The owner must be in the citizens registry: the same import as the registry test.
  await importCitizens();

  const { browser, page, s, shot, finish } = await openBrowser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-pds-'));
  const storePath = `/api/v1/pds/citizen/${CITIZEN.id}/documents`;

  try {
    // 1. The citizen adds a PDF to her own store on /me/data and sees it listed.
    await openAs(page, s, REG.citizen, '/me/data');
    const mine = page.getByTestId('my-docs');
    await mine.getByRole('heading', { level: 2, name: 'Giấy tờ của tôi' }).waitFor();
    // Not an accepted type: refused before anything is sent.
    await page.getByTestId('my-docs-file').setInputFiles({
      name: 'don.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: Buffer.from('PK\x03\x04'),
    });
    await mine.getByText('Chỉ nhận tệp PDF, JPEG, PNG, XML, JSON hoặc văn bản (.txt).').waitFor();

    await page.getByLabel('Loại giấy tờ', { exact: true }).selectOption('giay-khai-sinh');
    await page.getByLabel('Tên giấy tờ', { exact: true }).fill(PDF_TITLE);
    // Named .pdf but not a PDF: the server refuses it (400, field content_type), shown under the file.
    s.allowed.add('400 /api/v1/me/documents');
    await page.getByTestId('my-docs-file').setInputFiles({
      name: 'gia-mao.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('không phải PDF'),
    });
    const [refused] = await Promise.all([
      page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/v1/me/documents' && r.request().method() === 'POST',
      ),
      page.getByTestId('my-docs-submit').click(),
    ]);
    assert.equal(refused.status(), 400, 'a fake PDF was accepted');
    await page.locator('#my-docs-file-error').filter({ hasText: 'Nội dung tệp không phải application/pdf' }).waitFor();
    await page.getByLabel('Ngày cấp (không bắt buộc)').fill('1990-03-10');
    await page.getByTestId('my-docs-file').setInputFiles({
      name: 'giay-khai-sinh.pdf',
      mimeType: 'application/pdf',
      buffer: PDF_BYTES,
    });
    const [added] = await Promise.all([
      page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/api/v1/me/documents' && r.request().method() === 'POST',
      ),
      page.getByTestId('my-docs-submit').click(),
    ]);
    const addedBody = await added.text();
    assert.ok([200, 201].includes(added.status()), `POST /api/v1/me/documents: HTTP ${added.status()} ${addedBody}`);
    assert.equal(added.request().headers()['content-type'], 'application/pdf');
    const sent = new URL(added.url()).searchParams;
    assert.equal(sent.get('doc_type'), 'giay-khai-sinh');
    assert.equal(sent.get('title'), PDF_TITLE);
    assert.equal(sent.get('issued_at'), '1990-03-10');
    const { document: doc } = JSON.parse(addedBody);
    assert.equal(doc.mime, 'application/pdf');
    assert.equal(doc.size, PDF_BYTES.length);
    await page.getByTestId('my-docs-added').waitFor();

    const myRow = page.getByTestId('my-docs-row').filter({ hasText: PDF_TITLE });
    await myRow.first().waitFor();
    const myRowText = await text(myRow.first());
    assert.ok(myRowText.includes('Giấy khai sinh'), `type not shown: "${myRowText}"`);
    assert.ok(myRowText.includes('10/03/1990'), `date of issue not shown: "${myRowText}"`);
    const myLink = page.locator(`[data-testid="my-docs-row"][data-document-id="${doc.id}"]`).getByTestId('my-docs-download');
    assert.equal(await myLink.getAttribute('href'), `/api/v1/me/documents/${doc.id}/content`);
    const [myDownload] = await Promise.all([page.waitForEvent('download'), myLink.click()]);
    const mySaved = path.join(tmp, 'mine.pdf');
    await myDownload.saveAs(mySaved);
    assert.ok(fs.readFileSync(mySaved).equals(PDF_BYTES), 'the downloaded file differs from the uploaded one');
    await shot('my-documents-vi.png');
    // In English: the section, the type and the column names.
    await page.getByTestId('lang-en').click();
    await mine.getByRole('heading', { level: 2, name: 'My documents' }).waitFor();
    assert.equal(await text(myRow.first().getByTestId('my-docs-type')), 'Birth certificate');
    await mine.getByRole('columnheader', { name: 'Issued on' }).waitFor();
    await page.getByTestId('lang-vi').click();
    await mine.getByRole('heading', { level: 2, name: 'Giấy tờ của tôi' }).waitFor();

    // 2. The one-stop officer opens her record: the document is in the store section, added by its owner.
    await openAs(page, s, PDS.officer, `/registry?registry=citizens&key=${CITIZEN.id}`);
    await page.getByTestId('registry-record').waitFor();
    const store = page.getByTestId('pds');
    await store.getByRole('heading', { level: 2, name: 'Kho dữ liệu cá nhân' }).waitFor();
    const officialRow = page.locator(`[data-testid="pds-row"][data-document-id="${doc.id}"]`);
    await officialRow.waitFor();
    const officialRowText = await text(officialRow);
    assert.ok(officialRowText.includes(PDF_TITLE), `store row: "${officialRowText}"`);
    assert.ok(officialRowText.includes(`owner:${REG.citizen}`), `source not shown: "${officialRowText}"`);
    const officialLink = officialRow.getByTestId('pds-download');
    assert.equal(await officialLink.getAttribute('href'), `/api/v1/pds/documents/${doc.id}/content`);
    const [officialDownload] = await Promise.all([page.waitForEvent('download'), officialLink.click()]);
    const officialSaved = path.join(tmp, 'official.pdf');
    await officialDownload.saveAs(officialSaved);
    assert.ok(fs.readFileSync(officialSaved).equals(PDF_BYTES), 'the official download differs');

    // 3. pds.write: the officer adds a receipt (plain text, new bytes each run) and revokes it.
    const receiptTitle = `Biên nhận hồ sơ thử nghiệm ${Date.now()}`;
    await page.getByLabel('Loại giấy tờ', { exact: true }).selectOption('khac');
    await page.getByLabel('Tên giấy tờ', { exact: true }).fill(receiptTitle);
    await page.getByLabel('Cơ quan cấp (không bắt buộc)').fill('000.21.04.H26');
    await page.getByTestId('pds-file').setInputFiles({
      name: 'bien-nhan.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(`${receiptTitle}\nNgười nhận: ${PDS.officerName}\n`),
    });
    const [receipt] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === storePath && r.request().method() === 'POST'),
      page.getByTestId('pds-submit').click(),
    ]);
    const receiptBody = await receipt.text();
    assert.equal(receipt.status(), 201, `POST ${storePath}: HTTP ${receipt.status()} ${receiptBody}`);
    assert.equal(receipt.request().headers()['content-type'], 'text/plain');
    const receiptDoc = JSON.parse(receiptBody).document;
    assert.equal(await text(page.getByTestId('pds-added')), `Đã thêm “${receiptTitle}”.`);
    const receiptRow = page.locator(`[data-testid="pds-row"][data-document-id="${receiptDoc.id}"]`);
    await receiptRow.waitFor();
    assert.ok((await text(receiptRow)).includes(`api:${PDS.officer}`), 'the officer is not the source');
    await shot('pds-vi.png');

    page.once('dialog', (d) => void d.accept());
    const [revoke] = await Promise.all([
      page.waitForResponse(
        (r) =>
          new URL(r.url()).pathname === `/api/v1/pds/documents/${receiptDoc.id}` && r.request().method() === 'DELETE',
      ),
      receiptRow.getByTestId('pds-revoke').click(),
    ]);
    assert.equal(revoke.status(), 200, `DELETE /api/v1/pds/documents/${receiptDoc.id}: HTTP ${revoke.status()}`);
    assert.equal(await text(page.getByTestId('pds-revoked')), `Đã thu hồi “${receiptTitle}”.`);
    await receiptRow.waitFor({ state: 'detached' });
    assert.equal(await officialRow.count(), 1, 'the citizen\'s document went away with the revoked one');

    // 4. A specialist (pds.read only) sees the store, without the upload form or "Revoke".
    await openAs(page, s, PDS.specialist, `/registry?registry=citizens&key=${CITIZEN.id}`);
    await page.locator(`[data-testid="pds-row"][data-document-id="${doc.id}"]`).waitFor();
    assert.equal(await page.getByTestId('pds-form').count(), 0, 'a specialist sees the upload form');
    assert.equal(await page.getByTestId('pds-revoke').count(), 0, 'a specialist sees "Revoke"');

    // 5. The citizen's access log names the officer's reads of her documents.
    await openAs(page, s, REG.citizen, '/me/data');
    await page.getByTestId('my-data-table').waitFor();
    const storeReads = page
      .getByTestId('my-data-row')
      .filter({ has: page.getByText(PDS.officerName, { exact: true }) })
      .filter({ hasText: 'Danh sách giấy tờ' });
    assert.ok((await storeReads.count()) >= 1, `no read of the document list by ${PDS.officerName} listed`);
  } catch (e) {
    await shot('failure-pds.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  finish();
});

// ---- procedures and dossiers: find, submit online, process, return, verify -------------------

const BIRTH = {
  code: '1.001193',
  agency: '000.21.04.H26', // Trung tâm phục vụ hành chính công phường Ba Đình
  competent: 'Ủy ban nhân dân phường Ba Đình', // signs the result (chuyenvien and lanhdao work there)
  form: {
    child_full_name: 'Nguyễn Thị Hường',
    child_birth_date: '2026-11-01',
    child_sex: 'Nữ',
    child_birth_place: 'Bệnh viện Phụ sản Hà Nội',
  },
};
const DOSSIER = { citizen: 'congdan', officer: 'motcua', specialist: 'chuyenvien', leader: 'lanhdao' };

/** Clicks an action, fills its reason when one is given, confirms; waits for the server's 200. */
async function act(page, code, action, reason) {
  await page.getByTestId(`action-${action}`).click();
  const form = page.getByTestId('action-form');
  await form.waitFor();
  assert.equal(await form.getAttribute('data-action'), action);
  if (reason) await page.getByTestId('action-reason').fill(reason);
  const pathname = `/api/v1/dossiers/${code}/actions/${action}`;
  const res = await answerOf(page, pathname, () => page.getByTestId('action-confirm').click());
  const { dossier } = await res.json();
  await page.getByTestId('action-done').waitFor();
  await form.waitFor({ state: 'detached' });
  return dossier;
}

/** Signs in as `user`, finds the dossier in the inbox (row coloured by its deadline) and opens it. */
async function openFromInbox(page, s, user, code, screenshot) {
  await openAs(page, s, user, '/xu-ly');
  await page.getByRole('heading', { level: 1, name: 'Xử lý hồ sơ' }).waitFor();
  assert.equal(await page.getByTestId('nav-inbox').getAttribute('aria-current'), 'page');
  const row = page.locator(`[data-testid="inbox-row"][data-code="${code}"]`);
  await row.waitFor();
  const deadline = await row.getAttribute('data-deadline');
  assert.ok(['on_time', 'due_soon', 'overdue', 'paused', 'none'].includes(deadline), `deadline ${deadline}`);
  assert.ok(((await row.getAttribute('class')) || '').includes(`row--dl-${deadline}`), 'row not coloured by deadline');
  if (screenshot) await screenshot();
  await page.getByTestId(`inbox-link-${code}`).click();
  await page.waitForURL((u) => u.pathname === `/xu-ly/${code}`);
  await page.getByTestId('dossier-code').filter({ hasText: code }).waitFor();
  assert.equal(await page.getByTestId('nav-inbox').getAttribute('aria-current'), 'page');
  return deadline;
}

test('procedures and dossiers: online birth registration through to a verified result', { skip, timeout: 240_000 }, async () => {
  const { browser, page, s, shot, pathOf, finish } = await openBrowser();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-dossier-'));

  try {
    // 1. The public catalogue: found without diacritics, with its papers, fees and legal basis.
    await page.goto(BASE_URL + '/thu-tuc');
    await page.getByRole('heading', { level: 1, name: 'Thủ tục hành chính' }).waitFor();
    assert.equal(await page.getByTestId('nav-procedures').getAttribute('aria-current'), 'page');
    await page.getByTestId('procedures-q').fill('dang ky khai sinh');
    const [found] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/procedures' && new URL(r.url()).searchParams.get('q') === 'dang ky khai sinh'),
      page.getByTestId('procedures-submit').click(),
    ]);
    assert.equal(found.status(), 200);
    assert.equal(new URL(page.url()).searchParams.get('q'), 'dang ky khai sinh');
    const link = page.getByTestId(`procedure-link-${BIRTH.code}`);
    await link.waitFor();
    assert.equal(await text(link), 'Thủ tục đăng ký khai sinh');
    await shot('procedures-vi.png');
    await link.click();
    await page.waitForURL((u) => u.pathname === `/thu-tuc/${BIRTH.code}`);
    await page.getByTestId('procedure-title').filter({ hasText: 'Thủ tục đăng ký khai sinh' }).waitFor();
    for (const c of ['TK', 'GCS', 'NT']) await page.getByTestId(`procedure-component-${c}`).waitFor();
    assert.match(await text(page.getByTestId('procedure-component-NT')), /Khai thác từ CSDL quốc gia/);
    assert.equal(await text(page.getByTestId('procedure-time')), '1 ngày làm việc');
    await page.getByTestId('procedure-fee-LP').waitFor();
    assert.match(await text(page.getByTestId('procedure-legal-list')), /Luật Hộ tịch số 60\/2014\/QH13/);
    await shot('procedure-vi.png');

    // 2. Submitting needs signing in: the citizen comes back to the form.
    await page.getByTestId('procedure-submit-online').click();
    await page.waitForURL((u) => u.pathname === '/login');
    assert.equal(new URL(page.url()).searchParams.get('next'), `/thu-tuc/${BIRTH.code}/nop`);
    await signIn(page, s, DOSSIER.citizen, DEMO_PASSWORD);
    await page.waitForURL((u) => u.pathname === `/thu-tuc/${BIRTH.code}/nop`);
    assert.equal(await page.getByTestId('nav-inbox').count(), 0, 'a citizen sees the inbox menu');

    // Declare once: her name comes from the population database, with its provenance.
    const nameField = page.getByTestId('intake-field-applicant_full_name');
    await nameField.waitFor();
    assert.equal(
      await page.getByTestId('submit-not-in-registry').count(),
      0,
      'the demo citizen 001190012345 is not in the citizens registry: import data/demo/citizens.csv before starting the server',
    );
    assert.equal(await nameField.inputValue(), CITIZEN.name);
    assert.equal(await nameField.getAttribute('readonly'), '');
    assert.equal(await text(page.getByTestId('intake-provenance-applicant_full_name')), '✓ Lấy từ CSDL dân cư');
    // The receiving agency: a service centre of her province (Hà Nội) by default.
    assert.equal(await page.getByTestId('submit-province').inputValue(), '01');
    await page.getByTestId('submit-agency').selectOption(BIRTH.agency);

    // Nothing filled in yet: refused in the browser, the problems marked.
    await page.getByTestId('submit-submit').click();
    await page.getByTestId('submit-error').filter({ hasText: 'Hồ sơ chưa đầy đủ' }).waitFor();
    await page.locator('#submit-field-child_full_name-error').waitFor();
    await page.getByTestId('intake-component-TK-error').waitFor();

    for (const [name, value] of Object.entries(BIRTH.form)) {
      const field = page.getByTestId(`intake-field-${name}`);
      if (name === 'child_sex') await field.selectOption(value);
      else await field.fill(value);
    }
    // A file of another type is refused before any upload.
    await page.getByTestId('intake-component-TK-file').setInputFiles({
      name: 'to-khai.docx',
      mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      buffer: Buffer.from('PK\x03\x04'),
    });
    await page.getByTestId('intake-component-TK-error').filter({ hasText: 'Chỉ nhận tệp PDF, JPEG hoặc PNG.' }).waitFor();
    for (const c of ['TK', 'GCS']) {
      const [up] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/dossier-files' && r.request().method() === 'POST'),
        page.getByTestId(`intake-component-${c}-file`).setInputFiles({
          name: `${c.toLowerCase()}.pdf`,
          mimeType: 'application/pdf',
          buffer: PDF_BYTES,
        }),
      ]);
      assert.equal(up.status(), 201, `upload of ${c}: HTTP ${up.status()}`);
      assert.equal(up.request().headers()['content-type'], 'application/pdf');
      await page.getByTestId(`intake-component-${c}-status`).filter({ hasText: `Đã tải lên: ${c.toLowerCase()}.pdf` }).waitFor();
    }
    await page.getByTestId('intake-component-NT-registry').check();
    await page.getByTestId('intake-component-NT-status').filter({ hasText: 'Sẽ khai thác từ CSDL quốc gia' }).waitFor();
    await shot('submit-vi.png');

    const [sub] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/dossiers' && r.request().method() === 'POST'),
      page.getByTestId('submit-submit').click(),
    ]);
    const subBody = await sub.text();
    assert.equal(sub.status(), 201, `POST /api/v1/dossiers: HTTP ${sub.status()} ${subBody}`);
    assert.match(sub.request().headers()['idempotency-key'] || '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const sent = JSON.parse(sub.request().postData() || '{}');
    assert.equal(sent.receiving_agency, BIRTH.agency);
    assert.deepEqual(sent.form, BIRTH.form, 'the prefilled name is left to the server (declare once)');
    assert.deepEqual(
      sent.components.map((c) => [c.code, c.source]),
      [
        ['TK', 'upload'],
        ['GCS', 'upload'],
        ['NT', 'registry'],
      ],
    );
    const created = JSON.parse(subBody).dossier;
    const code = created.code;
    assert.match(code, new RegExp(`^${BIRTH.agency.replace(/\./g, '\\.')}-\\d{6}-\\d{4,}$`));
    assert.equal(created.form.applicant_full_name.source, 'registry:citizens');
    assert.equal(await text(page.getByTestId('submitted-code')), code);
    assert.equal(await text(page.getByTestId('submitted-status')), 'Mới đăng ký');
    const receiptHref = await page.getByTestId('submitted-receipt').getAttribute('href');
    assert.equal(receiptHref, `/api/v1/dossiers/${code}/receipt.pdf`);
    const receipt = await page.request.get(BASE_URL + receiptHref);
    assert.equal(receipt.status(), 200, `receipt: HTTP ${receipt.status()}`);
    assert.equal(receipt.headers()['content-type'], 'application/pdf');
    assert.equal((await receipt.body()).subarray(0, 5).toString(), '%PDF-');
    await shot('submitted-vi.png');

    // 3. Her dossier: newly registered, the submission in the timeline, the form with its sources.
    await page.getByTestId('submitted-open').click();
    await page.waitForURL((u) => u.pathname === `/ho-so/${code}`);
    await page.getByTestId('dossier-code').filter({ hasText: code }).waitFor();
    assert.equal(await text(page.getByTestId('dossier-status')), 'Mới đăng ký');
    assert.equal(await page.getByTestId('nav-my-dossiers').getAttribute('aria-current'), 'page');
    assert.match(await text(page.getByTestId('dossier-form-applicant_full_name')), /Lấy từ CSDL dân cư/);
    assert.match(await text(page.getByTestId('dossier-form-child_full_name')), /Nguyễn Thị Hường.*Người nộp khai/);
    await page.locator('[data-testid="dossier-event"][data-action="submit"]').waitFor();

    // 4. The one-stop officer receives it (the appointment is set) and forwards it.
    let deadline = await openFromInbox(page, s, DOSSIER.officer, code);
    assert.equal(deadline, 'none', 'a newly registered dossier has no deadline yet');
    assert.equal(await page.getByTestId('nav-counter').count(), 1, 'a one-stop officer lacks the counter menu');
    assert.equal(await page.getByTestId('action-propose').count(), 0, 'a one-stop officer may propose');
    let d = await act(page, code, 'receive');
    assert.equal(d.status.code, 2);
    assert.ok(d.due_at, 'no appointment after receipt');
    await page.getByTestId('dossier-status').filter({ hasText: 'Đã tiếp nhận' }).waitFor();
    await shot('dossier-officer-vi.png');
    d = await act(page, code, 'forward');
    assert.equal(d.status.code, 4);
    await page.getByTestId('dossier-status').filter({ hasText: 'Đang xử lý' }).waitFor();
    assert.equal(await page.getByTestId('action-forward').count(), 0, 'forward is still offered');

    // 5. The specialist of the competent agency proposes it.
    deadline = await openFromInbox(page, s, DOSSIER.specialist, code, () => shot('inbox-vi.png'));
    assert.notEqual(deadline, 'none');
    assert.equal(await page.getByTestId('nav-counter').count(), 0, 'a specialist sees the counter menu');
    assert.equal(await page.getByTestId('action-approve').count(), 0, 'a specialist may approve');
    await page.getByTestId('action-transfer').waitFor();
    d = await act(page, code, 'propose');
    assert.equal(d.substate.code, 'awaiting_approval');
    await page.getByTestId('dossier-status').filter({ hasText: 'Chờ lãnh đạo phê duyệt' }).waitFor();

    // 6. The leader approves it: the result is issued and signed by the commune.
    await openFromInbox(page, s, DOSSIER.leader, code);
    await page.getByTestId('action-send_back').waitFor();
    d = await act(page, code, 'approve');
    assert.equal(d.status.code, 9);
    assert.ok(d.result && d.result.signature, 'no signed result');
    await page.getByTestId('dossier-status').filter({ hasText: 'Đã xử lý xong' }).waitFor();
    await page.getByTestId('dossier-result-pdf').waitFor();
    await shot('dossier-leader-vi.png');

    // 7. The one-stop officer returns it.
    await openFromInbox(page, s, DOSSIER.officer, code);
    d = await act(page, code, 'return');
    assert.equal(d.status.code, 10);
    await page.getByTestId('dossier-status').filter({ hasText: 'Đã trả kết quả' }).waitFor();

    // 8. The citizen rates the service and opens her result's verification.
    await openAs(page, s, DOSSIER.citizen, '/ho-so');
    const mine = page.locator(`[data-testid="my-dossier-row"][data-code="${code}"]`);
    await mine.waitFor();
    assert.match(await text(mine), /Đã trả kết quả/);
    await page.getByTestId(`my-dossier-link-${code}`).click();
    await page.waitForURL((u) => u.pathname === `/ho-so/${code}`);
    await page.getByTestId('rating-form').waitFor();
    await page.getByTestId('rating-very_satisfied').check();
    await page.getByTestId('rating-comment').fill('Nhanh, không phải khai lại thông tin.');
    await answerOf(page, `/api/v1/dossiers/${code}/actions/rate`, () => page.getByTestId('rating-submit').click());
    await page.getByTestId('rating-given').filter({ hasText: 'Rất hài lòng' }).waitFor();
    assert.equal(await page.getByTestId('rating-form').count(), 0, 'the rating form is still offered');
    await page.locator('[data-testid="dossier-event"][data-action="approve"]').waitFor();
    await shot('dossier-citizen-vi.png');
    // In English: the status, the history.
    await page.getByTestId('lang-en').click();
    await page.getByTestId('dossier-status').filter({ hasText: 'Result returned' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'History' }).waitFor();
    await page.locator('[data-testid="dossier-event"][data-action="approve"]').filter({ hasText: 'Approved' }).waitFor();
    await page.getByTestId('lang-vi').click();
    await page.getByTestId('dossier-status').filter({ hasText: 'Đã trả kết quả' }).waitFor();

    const jsonLink = page.getByTestId('dossier-result-json');
    assert.match((await jsonLink.getAttribute('href')) || '', new RegExp(`^/api/v1/public/results/${code.replace(/\./g, '\\.')}/json\\?s=`));
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), jsonLink.click()]);
    const resultFile = path.join(tmp, 'ket-qua.json');
    await jsonDownload.saveAs(resultFile);
    const signed = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    assert.equal(signed.document.dossier_code, code);

    const verifyHref = (await page.getByTestId('dossier-result-verify').getAttribute('href')) || '';
    const verifyUrl = new URL(verifyHref, BASE_URL);
    assert.equal(verifyUrl.pathname, '/xac-thuc');
    assert.equal(verifyUrl.searchParams.get('ma'), code);
    assert.equal(verifyUrl.searchParams.get('s'), d.result.signature);

    // 9. /xac-thuc, as anyone holding the QR code: valid, the issuer and the content.
    await page.getByTestId('logout').click();
    await page.waitForURL((u) => u.pathname === '/login');
    s.phase = 'anon';
    await page.goto(BASE_URL + verifyHref);
    await page.getByTestId('verify-valid').waitFor();
    assert.match(await text(page.getByTestId('verify-valid')), /Kết quả hợp lệ$/);
    assert.match(await text(page.getByTestId('verify-issuer')), new RegExp(BIRTH.competent));
    assert.equal(await text(page.getByTestId('verify-dossier-code')), code);
    assert.equal(await text(page.getByTestId('verify-holder')), CITIZEN.name);
    assert.match(await text(page.getByTestId('verify-content')), /Nguyễn Thị Hường/);
    await shot('verify-vi.png');

    // The JSON file: valid as issued, invalid with one changed letter.
    await page.getByTestId('verify-file').setInputFiles(resultFile);
    await answerOf(page, '/api/v1/public/results/verify', () => page.getByTestId('verify-submit').click());
    await page.locator('[data-testid="verify-result"][data-valid="true"]').filter({ hasText: 'ket-qua.json' }).waitFor();
    const forged = path.join(tmp, 'gia-mao.json');
    fs.writeFileSync(forged, fs.readFileSync(resultFile, 'utf8').replace('Nguyễn Thị Hường', 'Nguyễn Thị Hương'));
    await page.getByTestId('verify-file').setInputFiles(forged);
    await answerOf(page, '/api/v1/public/results/verify', () => page.getByTestId('verify-submit').click());
    await page.getByTestId('verify-invalid').waitFor();
    assert.match(await text(page.getByTestId('verify-reason')), /Chữ ký không khớp nội dung/);
    await shot('verify-invalid-vi.png');

    // 10. The public lookup by code (as from the receipt's QR code): returned, no personal data.
    await page.goto(`${BASE_URL}/tra-cuu?ma=${encodeURIComponent(code)}`);
    await page.getByTestId('lookup-result').waitFor();
    assert.equal(await text(page.getByTestId('lookup-result-code')), code);
    assert.equal(await text(page.getByTestId('lookup-status')), 'Đã trả kết quả');
    assert.equal(await text(page.getByTestId('lookup-procedure')), 'Thủ tục đăng ký khai sinh');
    assert.ok(!(await text(page.getByTestId('lookup-result'))).includes(CITIZEN.name), 'the lookup shows the applicant');
    assert.equal(pathOf(), '/tra-cuu');

    // 11. The counter: the one-stop officer fetches an applicant's data by personal ID.
    await openAs(page, s, DOSSIER.officer, '/xu-ly/tiep-nhan');
    assert.equal(await page.getByTestId('nav-counter').getAttribute('aria-current'), 'page');
    await page.getByTestId('counter-procedure').selectOption(BIRTH.code);
    await page.getByTestId('counter-id').fill(CITIZEN.id);
    const [pre] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/procedures/${BIRTH.code}/prefill`),
      page.getByTestId('counter-lookup').click(),
    ]);
    assert.equal(pre.status(), 200);
    assert.equal(new URL(pre.url()).searchParams.get('applicant'), CITIZEN.id);
    await page.getByTestId('counter-known').waitFor();
    assert.equal(await page.getByTestId('intake-field-applicant_full_name').inputValue(), CITIZEN.name);
    await page.getByTestId('intake-component-TK-file').waitFor();
    await page.getByTestId('intake-component-NT-registry').waitFor();
    await shot('counter-vi.png');
  } catch (e) {
    await shot('failure-dossier.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  finish();
});

// ---- data exchange administration -------------------------------------------------------------

const EXCHANGE = {
  admin: 'sysadmin', // exchange.manage
  system: 'VN/GOV/000.00.00.H26/MOTCUA',
  systemName: 'Hệ thống một cửa điện tử (thử nghiệm)',
  account: 'hethong', // the demo member-system account
  // The demo account's API key (src/app/app.hpp, kDemoApiKey): calls the gateway once.
  apiKey: process.env.LT_DEMO_API_KEY || 'ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem',
  upstream: 'http://127.0.0.1:9/x', // nothing listens: the grant is revoked before any call anyway
  // The system's event subscription the test pauses and resumes: a platform topic the browser tests do
  // not publish, pushed to where nothing listens.
  topic: 'parcel.updated',
  eventsUrl: 'http://127.0.0.1:9/su-kien',
};

/** The demo system's subscription to EXCHANGE.topic (subscribed over the API unless a previous run did), active. */
async function demoSubscription() {
  const token = await apiToken(EXCHANGE.admin, DEMO_PASSWORD);
  const admin = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
  const qs = new URLSearchParams({ system: EXCHANGE.system, topic: EXCHANGE.topic });
  const res = await fetch(`${BASE_URL}/api/v1/exchange/subscriptions?${qs}`, { headers: admin });
  const body = await res.text();
  assert.equal(res.status, 200, `list subscriptions: HTTP ${res.status} ${body}`);
  const found = JSON.parse(body).items.find((x) => x.mode === 'push' && x.url === EXCHANGE.eventsUrl);
  if (found) {
    if (found.status === 'paused') {
      const resumed = await fetch(`${BASE_URL}/api/v1/exchange/subscriptions/${found.id}/resume`, {
        method: 'POST',
        headers: { ...admin, 'Content-Type': 'application/json' },
        body: '{}',
      });
      assert.equal(resumed.status, 200, `resume subscription ${found.id}: HTTP ${resumed.status} ${await resumed.text()}`);
    }
    return found.id;
  }
  const sub = await fetch(`${BASE_URL}/api/v1/pubsub/subscriptions`, {
    method: 'POST',
    headers: {
      'X-Road-Client': EXCHANGE.system,
      'X-API-Key': EXCHANGE.apiKey,
      'Content-Type': 'application/json',
      Accept: 'application/json',
    },
    body: JSON.stringify({ event_type: EXCHANGE.topic, url: EXCHANGE.eventsUrl }),
  });
  const subBody = await sub.text();
  assert.equal(sub.status, 201, `subscribe: HTTP ${sub.status} ${subBody}`);
  return JSON.parse(subBody).id;
}

/** Waits for the answer of METHOD pathname triggered by `action` and checks its status. */
async function answerWith(page, method, pathname, status, action) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === pathname && r.request().method() === method),
    action(),
  ]);
  if (res.status() !== status) {
    const body = await res.text().catch(() => '');
    assert.fail(`${method} ${pathname}: HTTP ${res.status()} (expected ${status}) ${body}`);
  }
  return res;
}

/** Creates a member-system account through the API (for the key rotation); returns its id and username. */
async function createMemberAccount() {
  const token = await apiToken(EXCHANGE.admin, DEMO_PASSWORD);
  const username = `ht.thu.${Date.now().toString(36)}`;
  const res = await fetch(`${BASE_URL}/api/v1/accounts`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username, display_name: 'Hệ thống thử khóa API', role: 'member-system', unit_code: '01' }),
  });
  const body = await res.text();
  assert.equal(res.status, 201, `create member-system account: HTTP ${res.status} ${body}`);
  return { id: JSON.parse(body).account.id, username };
}

test('data exchange administration: member system, service, grant, API keys, message log, subscriptions', { skip, timeout: 180_000 }, async () => {
  const member = await createMemberAccount();
  const { browser, page, s, shot, pathOf, finish } = await openBrowser();
  const code = `thu-nghiem-${Date.now().toString(36)}`;
  const service = `${EXCHANGE.system}/${code}`;

  try {
    // 1. Not for other roles: no menu entry, and the page says "forbidden".
    await openAs(page, s, 'chuyenvien', '/admin/exchange');
    await page.getByTestId('forbidden').waitFor();
    assert.equal(await page.getByTestId('nav-exchange').count(), 0, 'a specialist sees the exchange menu');

    // 2. The system administrator opens it from the menu: member systems first.
    await openAs(page, s, EXCHANGE.admin, '/');
    await page.getByTestId('nav-exchange').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange');
    await page.getByRole('heading', { level: 1, name: 'Trục liên thông' }).waitFor();
    assert.equal(await page.getByTestId('nav-exchange').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('exchange-tab-systems').getAttribute('aria-current'), 'page');
    await page.locator('[data-testid="systems-table"], [data-testid="systems-empty"]').first().waitFor();

    // 3. Register the system bound to the demo member-system account (unless a previous run did).
    const systemRow = page.getByTestId(`system-row-${EXCHANGE.system}`);
    if ((await systemRow.count()) === 0) {
      const picker = page.getByTestId('system-account');
      await picker.locator('option', { hasText: `${EXCHANGE.account} — ` }).waitFor({ state: 'attached' });
      // A malformed id is refused in the browser.
      await page.getByLabel('Mã hệ thống').fill('VN/GOV/MOTCUA');
      await page.getByLabel('Tên hệ thống').fill(EXCHANGE.systemName);
      await page.getByTestId('system-submit').click();
      assert.match(await text(page.locator('#system-id-error')), /4 phần/);
      assert.match(await text(page.locator('#system-account-error')), /Vui lòng chọn tài khoản/);
      await page.getByLabel('Mã hệ thống').fill(EXCHANGE.system);
      const accountValue = await picker.evaluate(
        (sel, u) => [...sel.options].find((o) => o.text.startsWith(`${u} — `))?.value ?? '',
        EXCHANGE.account,
      );
      assert.ok(accountValue, 'the account picker does not offer hethong');
      await picker.selectOption(accountValue);
      const res = await answerWith(page, 'POST', '/api/v1/exchange/systems', 201, () =>
        page.getByTestId('system-submit').click(),
      );
      const sent = JSON.parse(res.request().postData() || '{}');
      assert.deepEqual(sent, { id: EXCHANGE.system, name: EXCHANGE.systemName, account_id: Number(accountValue) });
      await page.getByTestId('exchange-message').filter({ hasText: EXCHANGE.system }).waitFor();
    }
    await systemRow.waitFor();
    await page.getByTestId(`system-account-${EXCHANGE.system}`).filter({ hasText: EXCHANGE.account }).waitFor();
    await shot('exchange-systems-vi.png');

    // 4. Publish a service of it: an invalid upstream is refused in the browser first.
    await page.getByTestId('exchange-tab-services').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/services');
    await page.getByTestId('service-form').waitFor();
    await page.getByTestId('service-provider').selectOption(EXCHANGE.system);
    await page.getByLabel('Mã dịch vụ').fill(code);
    await page.getByLabel('Địa chỉ dịch vụ gốc').fill('ftp://127.0.0.1/x');
    await page.getByTestId('service-openapi').fill('{"openapi": ');
    await page.getByTestId('service-submit').click();
    assert.match(await text(page.locator('#service-upstream-error')), /http:\/\//);
    assert.match(await text(page.locator('#service-openapi-error')), /JSON/);
    await page.getByLabel('Địa chỉ dịch vụ gốc').fill(EXCHANGE.upstream);
    await page.getByTestId('service-method-POST').check();
    await page.getByTestId('service-paths').fill('/\n/ho-so');
    await page.getByTestId('service-timeout').fill('5000');
    await page.getByTestId('service-max-body').fill('65536');
    await page.getByTestId('service-description').fill('Dịch vụ thử nghiệm tra cứu hồ sơ');
    await page
      .getByTestId('service-openapi')
      .fill('{"openapi": "3.0.3", "info": {"title": "Tra cứu hồ sơ", "version": "1"}, "paths": {}}');
    const published = await answerWith(page, 'POST', '/api/v1/exchange/services', 201, () =>
      page.getByTestId('service-submit').click(),
    );
    const sentService = JSON.parse(published.request().postData() || '{}');
    assert.equal(sentService.provider, EXCHANGE.system);
    assert.equal(sentService.upstream, EXCHANGE.upstream);
    assert.deepEqual(sentService.methods, ['GET', 'POST']);
    assert.deepEqual(sentService.paths, ['/', '/ho-so']);
    assert.equal(sentService.timeout_ms, 5000);
    assert.equal(sentService.max_body, 65536);
    const serviceId = (await published.json()).service.id;
    const serviceRow = page.getByTestId(`service-row-${code}`);
    await serviceRow.waitFor();
    assert.ok((await text(serviceRow)).includes(EXCHANGE.upstream), 'the service row lacks its upstream');
    assert.ok((await text(serviceRow)).includes('OpenAPI'), 'the service row lacks its OpenAPI mark');
    await shot('exchange-services-vi.png');

    // 5. Grant the system its service (from the service's row), see it current, revoke it.
    await page.getByTestId(`service-grant-${code}`).click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/grants' && u.searchParams.get('service') === String(serviceId));
    await page.getByTestId('grant-form').waitFor();
    assert.equal(await page.getByTestId('grant-service').inputValue(), String(serviceId));
    await page.getByTestId('grant-client').selectOption(EXCHANGE.system);
    await page.getByTestId('grant-method-GET').check();
    const granted = await answerWith(page, 'POST', '/api/v1/exchange/grants', 201, () =>
      page.getByTestId('grant-submit').click(),
    );
    assert.deepEqual(JSON.parse(granted.request().postData() || '{}'), {
      client: EXCHANGE.system,
      service_id: serviceId,
      methods: ['GET'],
    });
    const grantId = (await granted.json()).id;
    const grantRow = page.getByTestId(`grant-row-${grantId}`);
    await grantRow.waitFor();
    assert.equal(await grantRow.getAttribute('data-client'), EXCHANGE.system);
    assert.equal(await grantRow.getAttribute('data-service'), service);
    assert.equal(await text(page.getByTestId(`grant-state-${grantId}`)), 'Đang hiệu lực');
    await shot('exchange-grants-vi.png');
    page.once('dialog', (d) => void d.accept());
    await answerWith(page, 'DELETE', `/api/v1/exchange/grants/${grantId}`, 200, () =>
      page.getByTestId(`grant-revoke-${grantId}`).click(),
    );
    await page.locator(`[data-testid="grant-state-${grantId}"][data-state="revoked"]`).waitFor();
    assert.equal(await text(page.getByTestId(`grant-state-${grantId}`)), 'Đã thu hồi');
    assert.equal(await page.getByTestId(`grant-revoke-${grantId}`).count(), 0, 'a revoked grant can be revoked');

    // 6. The system calls its service once: refused (no current grant), and logged.
    const call = await fetch(`${BASE_URL}/r1/${service}/ho-so/1`, {
      headers: { 'X-Road-Client': EXCHANGE.system, 'X-API-Key': EXCHANGE.apiKey, Accept: 'application/json' },
    });
    await call.text();
    assert.equal(call.status, 403, `gateway call after the revocation: HTTP ${call.status}`);
    assert.equal(call.headers.get('x-road-error'), 'Client.AccessDenied');

    // 7. API keys: the demo account's key; a new account's key issued, rotated, the old one revoked.
    await page.getByTestId('exchange-tab-keys').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/keys');
    const keysAccount = page.getByTestId('keys-account');
    await keysAccount.locator('option', { hasText: `${EXCHANGE.account} — ` }).waitFor({ state: 'attached' });
    const demoAccount = await keysAccount.evaluate(
      (sel, u) => [...sel.options].find((o) => o.text.startsWith(`${u} — `))?.value ?? '',
      EXCHANGE.account,
    );
    await keysAccount.selectOption(demoAccount);
    await page.waitForURL((u) => u.searchParams.get('account') === demoAccount);
    await page.getByTestId('keys-systems').filter({ hasText: EXCHANGE.system }).waitFor();
    await page.getByTestId('keys-table').waitFor();
    await page.getByTestId('key-row-demo0000').waitFor();

    await keysAccount.selectOption(String(member.id));
    await page.waitForURL((u) => u.searchParams.get('account') === String(member.id));
    await page.getByTestId('keys-empty').waitFor();
    const first = await answerWith(page, 'POST', `/api/v1/accounts/${member.id}/api-keys`, 201, () =>
      page.getByTestId('key-submit').click(),
    );
    const firstKey = await first.json();
    assert.equal(await page.getByTestId('key-issued-value').inputValue(), firstKey.key);
    assert.match(firstKey.key, /^ltk_/);
    await page.getByTestId(`key-row-${firstKey.prefix}`).waitFor();
    assert.equal(await text(page.getByTestId(`key-state-${firstKey.prefix}`)), 'Đang hiệu lực');
    await page.getByTestId('key-overlap').fill('2');
    const second = await answerWith(page, 'POST', `/api/v1/accounts/${member.id}/api-keys`, 201, () =>
      page.getByTestId('key-submit').click(),
    );
    assert.deepEqual(JSON.parse(second.request().postData() || '{}'), { overlap_hours: 2 });
    const secondKey = await second.json();
    await page.getByTestId(`key-row-${secondKey.prefix}`).waitFor();
    await page.locator(`[data-testid="key-state-${firstKey.prefix}"][data-state="expiring"]`).waitFor();
    assert.equal(await text(page.getByTestId(`key-state-${firstKey.prefix}`)), 'Đang chuyển tiếp');
    await shot('exchange-keys-vi.png');
    page.once('dialog', (d) => void d.accept());
    await answerWith(page, 'DELETE', `/api/v1/accounts/${member.id}/api-keys/${firstKey.id}`, 200, () =>
      page.getByTestId(`key-revoke-${firstKey.prefix}`).click(),
    );
    await page.locator(`[data-testid="key-state-${firstKey.prefix}"][data-state="revoked"]`).waitFor();
    assert.equal(await text(page.getByTestId(`key-state-${secondKey.prefix}`)), 'Đang hiệu lực');

    // 8. The message log: opens (maybe empty), then finds the refused call by client and status.
    await page.getByTestId('exchange-tab-messages').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/messages');
    await page.locator('[data-testid="messages-table"], [data-testid="messages-empty"]').first().waitFor();
    await page.getByTestId('messages-client').fill(EXCHANGE.system);
    await page.getByTestId('messages-service').fill(service);
    await page.getByTestId('messages-status').fill('403');
    const searched = await answerWith(page, 'GET', '/api/v1/exchange/messages', 200, () =>
      page.getByTestId('messages-submit').click(),
    );
    const q = new URL(searched.url()).searchParams;
    assert.equal(q.get('client'), EXCHANGE.system);
    assert.equal(q.get('service'), service);
    assert.equal(q.get('status'), '403');
    assert.equal(new URL(page.url()).searchParams.get('client'), EXCHANGE.system);
    // The log is written just after the answer: refresh until the row is there.
    const refused = page.locator('[data-testid^="message-row-"]').filter({ hasText: 'Client.AccessDenied' });
    for (let i = 0; i < 20 && (await refused.count()) === 0; i++) {
      await page.waitForTimeout(250);
      await answerWith(page, 'GET', '/api/v1/exchange/messages', 200, () =>
        page.getByRole('button', { name: 'Tải lại' }).click(),
      );
    }
    await refused.first().waitFor();
    assert.ok((await text(refused.first())).includes('/ho-so/1'), 'the logged message lacks its path');
    await shot('exchange-messages-vi.png');

    // 9. Event subscriptions: the system's subscription listed (filtered by system), paused and resumed
    // from its row, and its deliveries one click away.
    const subId = await demoSubscription();
    await page.getByTestId('exchange-tab-subscriptions').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/subscriptions');
    await page.getByRole('heading', { level: 2, name: /đăng ký/i }).waitFor();
    await page.getByTestId('subscriptions-table').waitFor();
    await page.getByTestId('subscriptions-system').selectOption(EXCHANGE.system);
    await page.waitForURL((u) => u.searchParams.get('system') === EXCHANGE.system);
    const subRow = page.getByTestId(`subscription-row-${subId}`);
    await subRow.waitFor();
    assert.equal(await subRow.getAttribute('data-system'), EXCHANGE.system);
    assert.equal(await subRow.getAttribute('data-topic'), EXCHANGE.topic);
    assert.ok((await text(subRow)).includes(EXCHANGE.eventsUrl), 'the subscription row lacks its URL');
    const others = page.locator(`[data-testid^="subscription-row-"]:not([data-system="${EXCHANGE.system}"])`);
    assert.equal(await others.count(), 0, 'the system filter lets other systems through');
    assert.equal(await text(page.getByTestId(`subscription-state-${subId}`)), 'Đang hoạt động');
    const paused = await answerWith(page, 'POST', `/api/v1/exchange/subscriptions/${subId}/pause`, 200, () =>
      page.getByTestId(`subscription-pause-${subId}`).click(),
    );
    assert.equal(paused.request().postData(), '{}');
    await page.locator(`[data-testid="subscription-state-${subId}"][data-state="paused"]`).waitFor();
    assert.equal(await text(page.getByTestId(`subscription-state-${subId}`)), 'Tạm dừng');
    await page.getByTestId('exchange-message').filter({ hasText: `#${subId}` }).waitFor();
    assert.equal(await page.getByTestId(`subscription-pause-${subId}`).count(), 0, 'a paused subscription can be paused');
    await shot('exchange-subscriptions-vi.png');
    await answerWith(page, 'POST', `/api/v1/exchange/subscriptions/${subId}/resume`, 200, () =>
      page.getByTestId(`subscription-resume-${subId}`).click(),
    );
    await page.locator(`[data-testid="subscription-state-${subId}"][data-state="active"]`).waitFor();
    assert.equal(await text(page.getByTestId(`subscription-state-${subId}`)), 'Đang hoạt động');
    await page.getByTestId(`subscription-deliveries-${subId}`).click();
    await page.waitForURL(
      (u) => u.pathname === '/admin/exchange/deliveries' && u.searchParams.get('subscription') === String(subId),
    );
    await page.locator('[data-testid="deliveries-table"], [data-testid="deliveries-empty"]').first().waitFor();

    // 10. Event delivery and event types open; the platform's own types are listed.
    await page.getByTestId('exchange-tab-deliveries').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/deliveries' && !u.searchParams.has('subscription'));
    await page.locator('[data-testid="deliveries-table"], [data-testid="deliveries-empty"]').first().waitFor();
    await page.getByTestId('deliveries-status').selectOption('dead');
    await page.waitForURL((u) => u.searchParams.get('status') === 'dead');
    await page.locator('[data-testid="deliveries-table"], [data-testid="deliveries-empty"]').first().waitFor();
    await page.getByTestId('exchange-tab-events').click();
    await page.waitForURL((u) => u.pathname === '/admin/exchange/events');
    await page.getByTestId('event-type-citizen.updated').waitFor();

    // 11. In English too, and a direct load of a section (the server's SPA fallback).
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { level: 1, name: 'Data exchange' }).waitFor();
    assert.equal(await text(page.getByTestId('exchange-tab-grants')), 'Access grants');
    assert.equal(await text(page.getByTestId('exchange-tab-subscriptions')), 'Subscriptions');
    await page.goto(`${BASE_URL}/admin/exchange/grants`);
    await page.getByTestId(`grant-row-${grantId}`).waitFor();
    assert.equal(await text(page.getByTestId(`grant-state-${grantId}`)), 'Revoked');
    await page.getByTestId('lang-vi').click();
    await page.getByRole('heading', { level: 1, name: 'Trục liên thông' }).waitFor();
    assert.equal(pathOf(), '/admin/exchange/grants');
  } catch (e) {
    await shot('failure-exchange.png').catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
  finish();
});
