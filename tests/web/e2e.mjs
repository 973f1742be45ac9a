// End-to-end tests of the web UI: a real `kam serve` on a temporary demo database, driven by
// Debian's Chromium through playwright-core. Each test saves a screenshot; a failing test saves
// a Playwright trace (open it with `npx playwright show-trace FILE`).
//
//   node --test tests/web/e2e.mjs  with  KAM=build/kam KAM_WEB=web/dist KAM_E2E_OUT=build/web-e2e
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

// playwright-core lives in web/node_modules (web/package-lock.json).
const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const Papa = require('papaparse');

const KAM = resolve(process.env.KAM || 'build/kam');
const WEB = resolve(process.env.KAM_WEB || 'web/dist');
const OUT = resolve(process.env.KAM_E2E_OUT || 'build/web-e2e');
const CHROMIUM = process.env.KAM_CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'kam-demo';

let dir, db, server, base, browser;
let serverLog = '';

function kam(...args) {
  return execFileSync(KAM, ['--db', db, ...args], {
    env: { ...process.env, KAM_TEST_FAST_HASH: '1' },
    encoding: 'utf8',
  });
}

// Starts `kam serve` on a free loopback port; resolves with its base URL.
function serve() {
  return new Promise((ok, fail) => {
    server = spawn(KAM, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--threads', '4', '--web', WEB], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => fail(new Error(`kam serve did not start: ${out}`)), 15000);
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    // The access log, and whatever a sanitizer says when the server dies: kept, shown on exit.
    server.stderr.on('data', (d) => {
      serverLog = (serverLog + d).slice(-20000);
    });
    server.on('exit', (code, signal) => {
      if (code !== 0) console.error(`kam serve exited with ${code ?? signal}; its last words:\n${serverLog.split('\n').filter((l) => !l.startsWith('{"method"')).join('\n')}`);
      fail(new Error(`kam serve exited with ${code}: ${out}`));
    });
  });
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'kam-e2e-'));
  db = join(dir, 'demo.db');
  kam('demo', '--seed', '1');
  kam('score');
  base = await serve();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});

after(async () => {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    const done = new Promise((ok) => server.once('exit', ok));
    server.kill('SIGTERM');
    const code = await Promise.race([done, new Promise((ok) => setTimeout(() => ok('timeout'), 15000))]);
    assert.equal(code, 0, 'kam serve stops cleanly on SIGTERM');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Runs body with a fresh browser context (no cookies), saving a screenshot at the end and a
// trace when it fails. Errors in the page fail the test; the browser's notes of 4xx answers do
// not (the flows under test provoke 401, 403, 404, 409 and 422 on purpose).
async function withPage(name, body, { locale = 'en-US', viewport = { width: 1366, height: 900 } } = {}) {
  const context = await browser.newContext({ baseURL: base, locale, viewport });
  await context.tracing.start({ screenshots: true, snapshots: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  try {
    await body(page);
    assert.deepEqual(errors, [], 'no errors in the page');
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
    await context.tracing.stop();
  } catch (e) {
    await page.screenshot({ path: join(OUT, `${name}-failed.png`), fullPage: true }).catch(() => {});
    await context.tracing.stop({ path: join(OUT, `${name}-trace.zip`) }).catch(() => {});
    throw e;
  } finally {
    await context.close();
  }
}

async function signIn(page, user, password = PASSWORD) {
  await page.goto('/');
  await page.waitForURL(/\/signin/);
  await page.fill('[data-test=username]', user);
  await page.fill('[data-test=password]', password);
  await page.click('[data-test=signin-submit]');
  await page.waitForSelector('[data-test=dashboard]');
}

// The API as the signed-in page sees it (same cookies).
async function apiGet(page, path) {
  const r = await page.request.get(`/api/v1${path}`);
  return { status: r.status(), body: r.status() === 200 ? await r.json() : null };
}

const roleLabel = { admin: 'Administrator', director: 'Sales director', manager: 'Manager', rep: 'Sales rep' };

test('each role signs in, sees its role and the dashboard of what it may see, and signs out', async () => {
  for (const [user, role] of [['admin', 'admin'], ['director', 'director'], ['manager-east', 'manager'], ['rep-east-1', 'rep']]) {
    await withPage(`signin-${user}`, async (page) => {
      await signIn(page, user);
      assert.equal((await page.textContent('[data-test=current-role]')).trim(), roleLabel[role]);
      // Every role gets the dashboard, computed over the accounts it may see.
      const mine = await apiGet(page, '/accounts?per_page=1');
      for (const chart of ['trend', 'tiers', 'pareto', 'lifecycle', 'matrix'])
        await page.waitForSelector(`[data-test=chart-${chart}] canvas`);
      const shown = (await page.textContent('[data-test=kpi-accounts] .value')).trim();
      assert.equal(shown, mine.body.total.toLocaleString('en-US'), 'the KPI counts what the user may see');
      const key = (await apiGet(page, '/analyses/tiers')).body.tiers[0];
      assert.equal((await page.textContent('[data-test=kpi-key] .value')).trim(), `${key.accounts} · ${(key.revenue_share * 100).toFixed(1)}%`);
      const scope = (await page.textContent('[data-test=scope]')).trim();
      if (role === 'admin' || role === 'director') {
        assert.equal(mine.body.total, 2000);
        assert.equal(scope, 'All accounts.');
      } else {
        assert.ok(mine.body.total > 0 && mine.body.total < 2000, `${user} sees part of the portfolio`);
        assert.equal(scope, role === 'manager' ? 'The accounts of team east.' : 'The accounts you own.');
        // The top accounts are theirs: each opens without a 404.
        const top = (await apiGet(page, '/summary')).body.top_accounts[0].code;
        assert.equal((await apiGet(page, `/accounts/${top}`)).status, 200);
      }
      await page.screenshot({ path: join(OUT, `dashboard-${user}.png`), fullPage: true });
      await page.click('[data-test=sign-out]');
      await page.waitForSelector('[data-test=signin-submit]');
      assert.equal((await apiGet(page, '/session')).status, 401, 'signed out on the server too');
    });
  }
});

test('the UI is served with its types, caching, compression and the app fallback', async () => {
  const index = await fetch(`${base}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(index.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal(index.headers.get('x-frame-options'), 'DENY');
  const html = await index.text();
  const js = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const css = html.match(/href="(\/assets\/[^"]+\.css)"/)[1];

  const asset = await fetch(`${base}${js}`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(asset.status, 200);
  assert.equal(asset.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(asset.headers.get('content-encoding'), 'gzip');
  assert.ok((await asset.text()).length > 1000, 'fetch decompressed the script');
  assert.equal((await fetch(`${base}${css}`)).headers.get('content-type'), 'text/css; charset=utf-8');

  // Revalidation: the same ETag gets 304 and no body.
  const again = await fetch(`${base}/`, { headers: { 'If-None-Match': index.headers.get('etag') } });
  assert.equal(again.status, 304);

  // A page of the app is index.html; a missing asset or file is a 404, never index.html.
  const deep = await fetch(`${base}/accounts/C000001`);
  assert.equal(deep.status, 200);
  assert.equal(await deep.text(), html);
  assert.equal((await fetch(`${base}/assets/missing.js`)).status, 404);
  assert.equal((await fetch(`${base}/missing.png`)).status, 404);
  // The API keeps its own answers: JSON problems, no app fallback.
  const api = await fetch(`${base}/api/v1/nothing`);
  assert.equal(api.status, 404);
  assert.equal(api.headers.get('content-type'), 'application/problem+json');
  // Traversal: paths are looked up among the files loaded at start, never on disk.
  for (const path of ['/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fpackage.json', '/..%2fpackage.json']) {
    const r = await fetch(`${base}${path}`);
    const body = await r.text();
    assert.ok(r.status === 404 || body === html, `${path} gives ${r.status}`);
    assert.ok(!body.includes('"devDependencies"') && !body.includes('root:'), `${path} leaks a file`);
  }
  assert.equal((await fetch(`${base}/`, { method: 'POST' })).status, 404, 'no writes outside the API');
});

test('a wrong password is refused with a message', async () => {
  await withPage('signin-refused', async (page) => {
    await page.goto('/signin');
    await page.fill('[data-test=username]', 'director');
    await page.fill('[data-test=password]', 'not-the-password');
    await page.click('[data-test=signin-submit]');
    await page.waitForSelector('[data-test=signin-error]');
    assert.match(await page.textContent('[data-test=signin-error]'), /Sign-in failed/);
  });
});

test('filter the accounts, then open one', async () => {
  await withPage('accounts-filter', async (page) => {
    await signIn(page, 'manager-east');
    const some = (await apiGet(page, '/accounts?sort=revenue&per_page=3')).body.items[2];
    await page.click('[data-test=nav-accounts]');
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');
    await page.fill('[data-test=filter-search]', some.code);
    await page.press('[data-test=filter-search]', 'Enter');
    await page.waitForFunction(
      (code) => {
        const rows = document.querySelectorAll('[data-test=accounts-table] .el-table__body tr');
        return rows.length === 1 && rows[0].textContent.includes(code);
      },
      some.code,
    );
    assert.match(page.url(), new RegExp(`search=${some.code}`), 'the filter is in the URL');
    assert.match(await page.textContent('[data-test=accounts-total]'), /^Accounts: 1$/);
    await page.click(`[data-test=accounts-table] a:has-text("${some.name}")`);
    await page.waitForSelector('[data-test=account-name]');
    assert.match(await page.textContent('[data-test=account-name]'), new RegExp(some.code));
    await page.waitForSelector('[data-test=metrics]');
    // The 360 view: monthly revenue chart, contacts, top products, open receivables, as the API
    // gives them.
    await page.waitForSelector('[data-test=account-months] canvas');
    const view = (await apiGet(page, `/accounts/${some.code}/view?months=24`)).body;
    assert.equal(await page.locator('[data-test=contacts] .el-table__body tr').count(), view.contacts.length);
    assert.equal(await page.locator('[data-test=top-products] .el-table__body tr').count(), view.top_products.length);
    assert.equal(await page.locator('[data-test=receivables] .el-table__body tr').count(), view.open_receivables.length);
    for (const c of view.contacts) assert.ok((await page.textContent('[data-test=contacts]')).includes(c.name));
  });
});

test('a rating raises the score, and the tier changes after a scoring run', async () => {
  await withPage('rating-and-run', async (page) => {
    await signIn(page, 'director');
    // An account just below the next tier, with ratings below the top of their scale.
    const review = (await apiGet(page, '/review')).body;
    const model = (await apiGet(page, '/model')).body.model;
    const scale = Object.fromEntries(model.ratings.map((r) => [r.name, r.max]));
    let target = null;
    for (const c of review.items.filter((i) => i.reason === 'promotion')) {
      const s = (await apiGet(page, `/accounts/${c.code}/score`)).body;
      const low = s.items.filter((i) => i.source === 'rating' && i.weight > 0 && i.raw !== null && i.raw < scale[i.indicator]);
      if (low.length) {
        target = { code: c.code, before: s, low };
        break;
      }
    }
    assert.ok(target, 'the demo has a promotion candidate with ratings to raise');
    await page.goto(`/accounts/${target.code}`);
    await page.waitForSelector('[data-test=ratings]');
    const tierBefore = (await page.textContent('[data-test=account-tier]')).trim();
    for (const it of target.low) {
      const input = page.locator(`[data-test="rating-${it.indicator}"] input, input[data-test="rating-${it.indicator}"]`).first();
      await input.fill(String(scale[it.indicator]));
      await input.press('Tab');
      const [put] = await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/ratings/${it.indicator}`) && r.request().method() === 'PUT'),
        page.click(`[data-test="rate-${it.indicator}"]`),
      ]);
      assert.equal(put.status(), 200, `PUT rating ${it.indicator}`);
      assert.equal((await put.json()).value, scale[it.indicator]);
    }
    const scoreBefore = (await page.textContent('[data-test=account-score]')).trim();
    const [run] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/scoring/runs') && r.request().method() === 'POST'),
      page.click('[data-test=run-scoring]'),
    ]);
    assert.equal(run.status(), 201);
    await page.waitForFunction(
      (before) => {
        const el = document.querySelector('[data-test=account-score]');
        return el && el.textContent.trim() !== before;
      },
      scoreBefore,
      { timeout: 20000 },
    );
    const after = (await apiGet(page, `/accounts/${target.code}/score`)).body;
    assert.ok(after.score > target.before.score, `score ${target.before.score} -> ${after.score}`);
    assert.notEqual(after.tier, target.before.tier, 'the tier moved up');
    const tierAfter = (await page.textContent('[data-test=account-tier]')).trim();
    assert.notEqual(tierAfter, tierBefore);
    assert.equal(tierAfter, { key: 'Key', major: 'Major', ordinary: 'Ordinary', small: 'Small' }[after.tier]);
  });
});

test("a rep cannot reach another team's account by its URL", async () => {
  let foreign;
  await withPage('rep-foreign-setup', async (page) => {
    await signIn(page, 'director');
    foreign = (await apiGet(page, '/accounts?owner=rep-west-1&per_page=1')).body.items[0].code;
  });
  await withPage('rep-foreign-account', async (page) => {
    await signIn(page, 'rep-east-1');
    await page.goto(`/accounts/${foreign}`);
    await page.waitForSelector('[data-test=account-not-found]');
    assert.equal((await apiGet(page, `/accounts/${foreign}`)).status, 404);
    assert.equal(await page.locator('[data-test=profile]').count(), 0, 'nothing of the account shows');
  });
});

test('switching to Chinese leaves no untranslated string', async () => {
  await withPage('language-zh', async (page) => {
    await signIn(page, 'admin');
    await page.waitForSelector('[data-test=chart-pareto] canvas');
    await page.click('[data-test=language]');
    await page.click('.el-select-dropdown__item:has-text("中文")');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    const pages = ['/', '/accounts', '/accounts/C000001'];
    for (const path of pages) {
      await page.goto(path);
      await page.waitForSelector('[data-test=dashboard], [data-test=accounts-table] .el-table__row, [data-test=metrics]');
      await page.waitForTimeout(300);
      const text = await page.evaluate(() => document.body.innerText);
      // A key shown instead of its message, or English words where Chinese belongs.
      const keys = text.match(/\b(?:app|nav|role|common|signIn|dashboard|quadrant|stage|tier|reason|accounts|supplyRole|account|group|source|metric)\.[a-zA-Z_]+/g);
      assert.equal(keys, null, `message keys on ${path}: ${keys}`);
      for (const english of ['Dashboard', 'Accounts', 'Sign out', 'Score', 'Profile', 'Revenue', 'Nothing to show'])
        assert.ok(!text.includes(english), `"${english}" on ${path} in Chinese`);
      assert.ok(text.includes('总览') && text.includes('退出'), 'the frame is in Chinese');
    }
    // The choice is remembered.
    await page.reload();
    await page.waitForSelector('[data-test=metrics]');
    assert.ok((await page.textContent('[data-test=nav-dashboard]')).includes('总览'));
  });
});

test('a profile edit is saved at its version; a concurrent change is a clear conflict', async () => {
  await withPage('profile-edit', async (page) => {
    await signIn(page, 'rep-east-1');
    const mine = (await apiGet(page, '/accounts?per_page=1')).body.items[0];
    await page.goto(`/accounts/${mine.code}`);
    await page.click('[data-test=edit-profile]');
    await page.fill('[data-test=edit-city]', '测试城市');
    await page.click('[data-test=edit-save]');
    await page.waitForSelector('[data-test=profile-editor]', { state: 'hidden' });
    await page.waitForFunction(() => document.querySelector('[data-test=profile]').textContent.includes('测试城市'));
    const after = (await apiGet(page, `/accounts/${mine.code}`)).body;
    assert.equal(after.city, '测试城市');
    assert.equal(after.version, mine.version + 1);

    // Someone else saves while the editor is open: ours gets 409, and nothing of it is written.
    await page.click('[data-test=edit-profile]');
    await page.fill('[data-test=edit-address]', 'ours');
    const csrf = await page.evaluate(() => sessionStorage.getItem('kam.csrf'));
    const theirs = await page.request.patch(`/api/v1/accounts/${mine.code}`, {
      headers: { 'X-CSRF-Token': csrf }, data: { version: after.version, address: 'theirs' },
    });
    assert.equal(theirs.status(), 200);
    await page.click('[data-test=edit-save]');
    await page.waitForSelector('[data-test=edit-conflict]');
    assert.match(await page.textContent('[data-test=edit-conflict]'), /Someone else changed this account/);
    assert.equal((await apiGet(page, `/accounts/${mine.code}`)).body.address, 'theirs', 'their change kept');
    await page.click('[data-test=edit-reload]');
    await page.waitForFunction(() => document.querySelector('[data-test=profile]').textContent.includes('theirs'));
  });
});

test('the audit log shows the edits, for the admin only', async () => {
  await withPage('audit', async (page) => {
    await signIn(page, 'admin');
    const acc = (await apiGet(page, '/accounts?per_page=1&page=7')).body.items[0];
    const csrf = await page.evaluate(() => sessionStorage.getItem('kam.csrf'));
    const r = await page.request.patch(`/api/v1/accounts/${acc.code}`, {
      headers: { 'X-CSRF-Token': csrf }, data: { version: acc.version, website: 'audit.example.cn' },
    });
    assert.equal(r.status(), 200);
    await page.click('[data-test=nav-audit]');
    await page.fill('[data-test=audit-action]', 'account.update');
    await page.press('[data-test=audit-action]', 'Enter');
    await page.waitForFunction(() => {
      const rows = document.querySelectorAll('[data-test=audit-table] .el-table__body tr');
      return rows.length >= 1 && [...rows].every((r) => r.textContent.includes('account.update'));
    });
    const first = await page.textContent('[data-test=audit-table] .el-table__body tr');
    assert.ok(first.includes('admin') && first.includes(acc.code) && first.includes('audit.example.cn'), first);
  });
  await withPage('audit-refused', async (page) => {
    await signIn(page, 'director');
    assert.equal(await page.locator('[data-test=nav-audit]').count(), 0);
    await page.goto('/admin/audit');
    await page.waitForSelector('[data-test=not-found]');
    assert.equal((await apiGet(page, '/audit')).status, 403);
  });
});

test('the model editor computes the AHP consistency live, refuses an inconsistent matrix, saves a version', async () => {
  await withPage('model-ahp', async (page) => {
    await signIn(page, 'admin');
    await page.click('[data-test=nav-model]');
    await page.waitForSelector('[data-test=model-valid]');
    const version = Number(await page.textContent('[data-test=model-version]'));
    await page.click('[data-test=ahp-switch]');
    await page.waitForSelector('[data-test=ahp-cr]');
    // Revenue 9 times margin, margin 9 times growth, yet growth 9 times revenue: inconsistent.
    const pick = (cell, value) => page.selectOption(`[data-test=${cell}]`, value);
    await pick('ahp-0-1', '9');
    await pick('ahp-1-2', '9');
    await pick('ahp-0-2', '1/9');
    await page.waitForSelector('[data-test=model-invalid]');
    assert.match(await page.textContent('[data-test=model-invalid]'), /consistency ratio .* exceeds 0\.10/);
    assert.ok(await page.isDisabled('[data-test=save-model]'), 'an invalid model cannot be saved');
    await pick('ahp-0-2', '9');
    await pick('ahp-0-1', '2');
    await pick('ahp-1-2', '2');
    await pick('ahp-0-2', '4');
    await page.waitForSelector('[data-test=model-valid]');
    const cr = await page.textContent('[data-test=ahp-cr]');
    assert.match(cr, /CR 0\.0\d\d/, cr);
    await page.click('[data-test=save-model]');
    await page.waitForFunction((v) => document.querySelector('[data-test=model-version]').textContent.trim() === String(v + 1), version);
    const saved = (await apiGet(page, '/model')).body;
    assert.equal(saved.version, version + 1);
    assert.equal(saved.model.ahp.matrix[0][2], 4);

    // A scoring run with the new version, as a background job with its progress bar.
    await page.click('[data-test=model-run]');
    await page.waitForSelector('[data-test=run-result]', { timeout: 30000 });
    const jobs = (await apiGet(page, '/jobs')).body.items;
    assert.equal(jobs[0].state, 'done');
    const result = (await apiGet(page, `/jobs/${jobs[0].job}`)).body.result;
    assert.equal(result.model_version, version + 1, 'the run used the saved model');
    assert.match(await page.textContent('[data-test=run-result]'), new RegExp(`Scoring run ${result.run} done`));
  });
  await withPage('model-readonly', async (page) => {
    await signIn(page, 'rep-east-1');
    await page.click('[data-test=nav-model]');
    await page.waitForSelector('[data-test=model-valid]');
    assert.equal(await page.locator('[data-test=save-model]').count(), 0, 'no save for a rep');
  });
});

test('the accounts list filters by tier and stage from the latest run', async () => {
  await withPage('accounts-tier', async (page) => {
    await signIn(page, 'director');
    const keyCount = (await apiGet(page, '/accounts?tier=key&per_page=1')).body.total;
    await page.goto('/accounts');
    await page.click('[data-test=filter-tier]');
    await page.click('.el-select-dropdown:visible .el-select-dropdown__item >> text="Key"');
    await page.waitForFunction((n) => document.querySelector('[data-test=accounts-total]')?.textContent.trim() === `Accounts: ${n}`, keyCount.toLocaleString('en-US'));
    assert.match(page.url(), /tier=key/);
    // The dashboard's lifecycle chart links here with a stage.
    await page.goto('/accounts?stage=decline');
    const decline = (await apiGet(page, '/accounts?stage=decline&per_page=1')).body.total;
    await page.waitForFunction((n) => document.querySelector('[data-test=accounts-total]')?.textContent.trim() === `Accounts: ${n}`, decline.toLocaleString('en-US'));
  });
});

test('the value matrix links its quadrants to the accounts in them; rows show the latest tier, score and stage; an account shows its quadrant', async () => {
  await withPage('accounts-quadrant', async (page) => {
    await signIn(page, 'rep-east-1');
    const matrix = (await apiGet(page, '/analyses/matrix?limit=0')).body;
    const core = matrix.quadrants.core;
    assert.ok(core.accounts > 0, 'the rep has core accounts');
    // The dashboard's link under the matrix: the core accounts of the rep's own matrix.
    await page.click('[data-test=quadrant-core]');
    await page.waitForURL(/quadrant=core/);
    await page.waitForFunction((n) => document.querySelector('[data-test=accounts-total]')?.textContent.trim() === `Accounts: ${n}`, core.accounts.toLocaleString('en-US'));
    const listed = await page.locator('[data-test=accounts-table] .el-table__body tr').count();
    assert.equal(listed, Math.min(core.accounts, 20));
    const api = (await apiGet(page, '/accounts?quadrant=core&sort=revenue&per_page=20')).body;
    assert.equal(api.total, core.accounts);
    for (const a of api.items) assert.ok(core.items.some((c) => c.code === a.code), `${a.code} is in the matrix's core`);
    // The first row's tier tag is the API's tier of the latest run.
    const first = api.items[0];
    const tierText = { key: 'Key', major: 'Major', ordinary: 'Ordinary', small: 'Small' }[first.tier];
    assert.equal((await page.locator('[data-test=accounts-table] .el-table__body tr').first().locator('.el-tag').first().textContent()).trim(), tierText);
    // The account's 360 page names its quadrant, as the API's view does.
    await page.click(`[data-test=accounts-table] .el-table__body tr >> nth=0 >> a`);
    await page.waitForSelector('[data-test=matrix-position]');
    assert.equal((await page.textContent('[data-test=matrix-quadrant]')).trim(), 'Core');
    const view = (await apiGet(page, `/accounts/${encodeURIComponent(first.code)}/view`)).body;
    assert.equal(view.matrix.quadrant, 'core');
  });
});

test('import: a bad file shows its line-numbered errors and writes nothing; a good one imports; GB18030 is read', async () => {
  await withPage('import', async (page) => {
    await signIn(page, 'director');
    const before = (await apiGet(page, '/accounts?per_page=1')).body.total;
    await page.click('[data-test=nav-import]');
    await page.waitForSelector('[data-test=import]');
    const bad = 'code,name,role\nE2E001,甲方一号,end_user\n,没有编码,end_user\nE2E003,丙方,nobody\n';
    await page.setInputFiles('[data-test=import-file]', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.waitForSelector('[data-test=import-preview]');
    assert.match(await page.textContent('[data-test=import-preview]'), /甲方一号/);
    await page.click('[data-test=import-run]');
    await page.waitForSelector('[data-test=import-refused]');
    const errors = await page.textContent('[data-test=import-errors]');
    assert.match(errors, /3.*code/s, 'line 3, field code');
    assert.match(errors, /4.*role/s, 'line 4, field role');
    assert.equal((await apiGet(page, '/accounts?per_page=1')).body.total, before, 'nothing written');
    assert.equal((await apiGet(page, '/accounts/E2E001')).status, 404);

    // The same file with "return the invalid rows": one imported, two rejects to download.
    await page.click('[data-test=import-reject]');
    await page.click('[data-test=import-run]');
    await page.waitForSelector('[data-test=import-ok]');
    assert.equal((await apiGet(page, '/accounts/E2E001')).body.name, '甲方一号');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=import-rejects]')]);
    const rejects = await (await download.createReadStream()).toArray();
    assert.match(Buffer.concat(rejects).toString(), /E2E003,丙方,nobody,.*role/);

    // A GB18030 file (Excel on a Chinese Windows): detected, previewed and imported correctly.
    const gb = Buffer.from([
      ...Buffer.from('code,name\nE2E010,'),
      0xb9, 0xe3, 0xd6, 0xdd, 0xbb, 0xaa, 0xc4, 0xcf, // 广州华南 in GB18030
      ...Buffer.from('\n'),
    ]);
    await page.click('[data-test=import-reject]');
    await page.setInputFiles('[data-test=import-file]', { name: 'gb.csv', mimeType: 'text/csv', buffer: gb });
    await page.waitForFunction(() => document.querySelector('[data-test=import-preview]')?.textContent.includes('广州华南'));
    await page.click('[data-test=import-dry-run]');
    await page.waitForSelector('[data-test=import-ok]');
    assert.equal((await apiGet(page, '/accounts/E2E010')).status, 404, 'a dry run writes nothing');
    await page.click('[data-test=import-run]');
    await page.waitForFunction(() => document.querySelector('[data-test=import-ok]')?.textContent.includes('Imported'));
    assert.equal((await apiGet(page, '/accounts/E2E010')).body.name, '广州华南');
  });
  await withPage('import-refused-rep', async (page) => {
    await signIn(page, 'rep-east-1');
    assert.equal(await page.locator('[data-test=nav-import]').count(), 0);
    const csrf = await page.evaluate(() => sessionStorage.getItem('kam.csrf'));
    const r = await page.request.post('/api/v1/imports/accounts', {
      headers: { 'Content-Type': 'text/csv', 'X-CSRF-Token': csrf }, data: 'code,name\nE2E020,x\n',
    });
    assert.equal(r.status(), 403);
  });
});

test('the admin adds a team and a user who signs in, disables them, and creates and revokes a token', async () => {
  await withPage('admin-users', async (page) => {
    await signIn(page, 'admin');
    await page.click('[data-test=nav-admin]');
    await page.waitForSelector('[data-test=users-table] .el-table__row');
    await page.click('.el-tabs__item:has-text("Teams")');
    await page.fill('[data-test=team-name]', 'north');
    await page.click('[data-test=team-add]');
    await page.waitForFunction(() => document.querySelector('[data-test=teams-table]').textContent.includes('north'));

    await page.click('.el-tabs__item:has-text("Users")');
    await page.click('[data-test=user-add]');
    await page.fill('[data-test=user-username]', 'rep-north');
    await page.fill('[data-test=user-display]', '北区代表');
    await page.click('[data-test=user-team]');
    await page.click('.el-select-dropdown:visible .el-select-dropdown__item >> text="north"');
    // A weak password: the server's rule is shown under the field, nothing is added.
    await page.fill('[data-test=user-password]', 'short');
    await page.click('[data-test=user-save]');
    await page.waitForSelector('[data-test=user-dialog] .el-form-item__error');
    assert.match(await page.textContent('[data-test=user-dialog] .el-form-item__error'), /too short/);
    await page.fill('[data-test=user-password]', 'north-password-1');
    await page.click('[data-test=user-save]');
    await page.waitForFunction(() => document.querySelector('[data-test=users-table]').textContent.includes('rep-north'));
  });
  await withPage('admin-new-user-signs-in', async (page) => {
    await page.goto('/signin');
    await page.fill('[data-test=username]', 'rep-north');
    await page.fill('[data-test=password]', 'north-password-1');
    await page.click('[data-test=signin-submit]');
    await page.waitForSelector('[data-test=dashboard]');
    assert.equal((await page.textContent('[data-test=current-role]')).trim(), 'Sales rep');
  });
  await withPage('admin-disable-and-tokens', async (page) => {
    await signIn(page, 'admin');
    await page.goto('/admin/users');
    await page.click('[data-test=user-edit-rep-north]');
    await page.click('[data-test=user-disabled]');
    await page.click('[data-test=user-save]');
    await page.waitForFunction(() => {
      const row = [...document.querySelectorAll('[data-test=users-table] .el-table__row')].find((r) => r.textContent.includes('rep-north'));
      return row && row.textContent.includes('Disabled');
    });
    const refused = await page.request.post('/api/v1/session', { data: { username: 'rep-north', password: 'north-password-1' } });
    assert.equal(refused.status(), 401, 'a disabled user cannot sign in');

    await page.click('.el-tabs__item:has-text("API tokens")');
    await page.click('[data-test=token-add]');
    await page.click('[data-test=token-user]');
    await page.click('.el-select-dropdown:visible .el-select-dropdown__item >> text="rep-east-1"');
    await page.fill('[data-test=token-name]', 'e2e script');
    await page.click('[data-test=token-create]');
    await page.waitForSelector('[data-test=token-text]');
    const token = await page.inputValue('[data-test=token-text]');
    assert.match(token, /^kam_/);
    const asScript = () => fetch(`${base}/api/v1/accounts?per_page=1`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await asScript()).status, 200);
    await page.click('[data-test=token-dialog] .el-dialog__footer button');
    const id = (await apiGet(page, '/tokens?user=rep-east-1')).body.items.find((x) => x.name === 'e2e script').id;
    await page.click(`[data-test=token-revoke-${id}]`);
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForFunction((i) => !document.querySelector(`[data-test=token-revoke-${i}]`), id);
    assert.equal((await asScript()).status, 401, 'a revoked token is refused at once');
  });
});

test('on a tablet the pages fit the screen: no sideways scrolling', async () => {
  await withPage('tablet', async (page) => {
    await signIn(page, 'director');
    await page.waitForSelector('[data-test=chart-matrix] canvas');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    assert.ok(await fits(), 'the dashboard fits');
    await page.goto('/accounts');
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');
    assert.ok(await fits(), 'the accounts list fits (the table scrolls inside itself)');
    const code = (await apiGet(page, '/accounts?per_page=1')).body.items[0].code;
    await page.goto(`/accounts/${code}`);
    await page.waitForSelector('[data-test=metrics]');
    assert.ok(await fits(), 'the account page fits');
    // The check sees an overflow when there is one.
    await page.evaluate(() => {
      const d = document.createElement('div');
      d.style.width = '2000px';
      d.style.height = '1px';
      document.querySelector('.page').appendChild(d);
    });
    assert.ok(!(await fits()), 'a 2000 px wide element is caught');
  }, { viewport: { width: 820, height: 1180 } });
});

test('the accounts list exports its filtered view as xlsx and as GB18030 CSV, within the scope', async () => {
  await withPage('export', async (page) => {
    await signIn(page, 'manager-east');
    const total = (await apiGet(page, '/accounts?tier=key&per_page=1')).body.total;
    await page.goto('/accounts?tier=key');
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');
    const download = async (item) => {
      await page.click('[data-test=export-button]');
      const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-test=${item}]`)]);
      return Buffer.concat(await (await d.createReadStream()).toArray());
    };
    const xlsx = await download('export-xlsx');
    assert.equal(xlsx.subarray(0, 2).toString(), 'PK', 'an xlsx is a zip');
    const gb = await download('export-gb18030');
    const utf8 = await download('export-csv');
    const text = new TextDecoder('gb18030').decode(gb);
    assert.equal(text.replace(/^\ufeff/, ''), utf8.toString('utf8').replace(/^\ufeff/, ''), 'the same rows in both encodings');
    // Records, not lines: addresses and justifications may hold line breaks inside quotes.
    const rows = Papa.parse(text.replace(/^\ufeff/, ''), { skipEmptyLines: true }).data;
    assert.equal(rows.length, total + 1, 'a header and the manager\'s key accounts, no others');
    assert.equal(rows[0][0], 'code');
  });
});

test('the model editor edits bands, tier cuts and the method; the server\'s refusals show where they point', async () => {
  await withPage('model-edit', async (page) => {
    await signIn(page, 'admin');
    const before = (await apiGet(page, '/model')).body;
    const gi = before.model.indicators.findIndex((i) => i.transform === 'bands' && i.bands.length >= 3);
    assert.ok(gi >= 0, 'the model has an indicator with bands');
    const ind = before.model.indicators[gi];
    const name = ind.name;
    const input = (hook) => page.locator(`[data-test=${hook}] input`);
    await page.click('[data-test=nav-model]');
    await page.waitForSelector('[data-test=model-valid]');
    await page.click(`[data-test=edit-${name}]`);
    await page.waitForSelector(`[data-test=bands-${name}]`);

    // The points of one band and the key accounts' cut; the server finds the model valid.
    const points = ind.bands[1].points === 30 ? 35 : 30;
    await input(`band-${name}-1-points`).fill(String(points));
    const { method, cuts } = before.model.tiers;
    const cut = method === 'rank'
      ? (cuts[0] + cuts[1] + cuts[2] < 100 ? cuts[0] + 1 : cuts[0] - 1)
      : (cuts[0] - 1 >= cuts[1] ? cuts[0] - 1 : cuts[0] + 1);
    await input('tier-cut-key').fill(String(cut));
    await input('tier-cut-key').press('Tab');
    await page.waitForSelector('[data-test=model-valid]');
    await page.click('[data-test=save-model]');
    await page.waitForFunction((v) => document.querySelector('[data-test=model-version]')?.textContent.trim() === String(v + 1), before.version);
    const saved = (await apiGet(page, '/model')).body;
    assert.equal(saved.version, before.version + 1);
    const expected = structuredClone(before.model);
    expected.indicators[gi].bands[1].points = points;
    expected.tiers.cuts[0] = cut;
    assert.deepEqual(saved.model, expected, 'the new version is the old one with exactly those two changes');

    // A band stretched over the next one: the server's message under the band it names, and
    // no saving.
    await page.waitForSelector('[data-test=model-valid]');
    await page.waitForSelector(`[data-test=bands-${name}]`);
    const wide = ind.bands[2].max ?? ind.bands[2].min + 1;
    await input(`band-${name}-1-max`).fill(String(wide));
    await page.waitForSelector('[data-test=model-invalid]');
    const shown = (await page.textContent(`[data-test=band-${name}-2] + tr [data-test=model-error]`)).trim();
    assert.match(shown, new RegExp(`^indicators\\[${gi}\\]\\.bands\\[2\\]: overlaps indicators\\[${gi}\\]\\.bands\\[1\\]`));
    assert.ok(await page.isDisabled('[data-test=save-model]'), 'an invalid model cannot be saved');
    assert.match(await page.textContent('[data-test=model-invalid]'), new RegExp(`indicators\\[${gi}\\]\\.bands\\[2\\]`), 'the top says where');
    const overlapping = structuredClone(saved.model);
    overlapping.indicators[gi].bands[1].max = wide;
    const csrf = await page.evaluate(() => sessionStorage.getItem('kam.csrf'));
    const refused = await page.request.post('/api/v1/model/validate', { headers: { 'X-CSRF-Token': csrf }, data: overlapping });
    assert.equal(refused.status(), 422);
    assert.equal((await refused.json()).detail, shown, 'the message shown is the server\'s');
    await input(`band-${name}-1-max`).fill(String(ind.bands[1].max));
    await page.waitForSelector('[data-test=model-valid]');

    // A band added above the open top band overlaps it; removing it makes the model valid again.
    const n = ind.bands.length;
    await page.click(`[data-test=band-add-${name}]`);
    await page.waitForSelector(`[data-test=band-${name}-${n}]`);
    await page.waitForSelector('[data-test=model-invalid]');
    assert.match(await page.textContent(`[data-test=bands-${name}] [data-test=model-error]`), new RegExp(`bands\\[${n}\\]: overlaps`));
    await page.click(`[data-test=band-remove-${name}-${n}]`);
    await page.waitForSelector('[data-test=model-valid]');

    // Fuzzy evaluation: grades and membership functions laid out from each indicator's scale,
    // which the server accepts; a grade out of order and a triangle out of order are refused
    // where they are.
    const [fuzzyCheck] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/model/validate') && r.request().postDataJSON()?.method === 'fuzzy'),
      page.click('[data-test=method-fuzzy]'),
    ]);
    assert.equal(fuzzyCheck.status(), 200, 'the fuzzy model is valid');
    assert.equal((await fuzzyCheck.json()).method, 'fuzzy');
    await page.waitForSelector('[data-test=model-valid]');
    await page.waitForSelector('[data-test=fuzzy-grades]');
    await page.waitForSelector(`[data-test=mfs-${name}]`);
    assert.equal(await page.locator(`[data-test=bands-${name}]`).count(), 0, 'no bands under fuzzy evaluation');
    await input('grade-1-score').fill('120');
    await page.waitForSelector('[data-test=model-invalid]');
    assert.match(await page.textContent('[data-test=fuzzy-grades] [data-test=model-error]'), /^fuzzy\.grades\[1\]\.score: 120 is not below/);
    assert.ok(await page.isDisabled('[data-test=save-model]'));
    await input('grade-1-score').fill('80');
    await page.waitForSelector('[data-test=model-valid]');
    await input(`mf-${name}-1-a`).fill('1000');
    await page.waitForSelector('[data-test=model-invalid]');
    assert.match(await page.textContent(`[data-test=mfs-${name}] [data-test=model-error]`),
      new RegExp(`^indicators\\[${gi}\\]\\.fuzzy\\[1\\]: triangle \\(1000, .*\\) is not ordered`));
    // Back to weighted points: the bands are back as they were; nothing was saved.
    await page.click('[data-test=method-points]');
    await page.waitForSelector('[data-test=model-valid]');
    assert.equal(await input(`band-${name}-1-points`).inputValue(), String(points));
    assert.equal((await apiGet(page, '/model')).body.version, before.version + 1);
  });
  // On a tablet the editor fits the screen (its tables scroll inside themselves); a rep sees
  // the details without a way to change them.
  await withPage('model-tablet', async (page) => {
    await signIn(page, 'rep-east-1');
    const model = (await apiGet(page, '/model')).body.model;
    const name = model.indicators.find((i) => i.transform === 'bands').name;
    await page.click('[data-test=nav-model]');
    await page.waitForSelector('[data-test=model-valid]');
    await page.click(`[data-test=edit-${name}]`);
    await page.waitForSelector(`[data-test=bands-${name}]`);
    assert.equal(await page.locator(`[data-test=band-add-${name}]`).count(), 0, 'no adding bands for a rep');
    assert.ok(await page.isDisabled(`[data-test=band-${name}-0-points] input`));
    assert.ok(await page.isDisabled('[data-test=tier-cut-key] input'));
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the model editor fits');
  }, { viewport: { width: 820, height: 1180 } });
  // In Chinese, every part of the editor, fuzzy included, has its message (keys built at run
  // time are not seen by the i18n check).
  await withPage('model-zh', async (page) => {
    await signIn(page, 'admin');
    const model = (await apiGet(page, '/model')).body.model;
    const name = model.indicators.find((i) => i.transform === 'bands').name;
    await page.click('[data-test=nav-model]');
    await page.waitForSelector('[data-test=model-valid]');
    await page.click(`[data-test=edit-${name}]`);
    await page.waitForSelector(`[data-test=bands-${name}]`);
    const untranslated = async () => {
      const text = await page.evaluate(() => document.body.innerText);
      const keys = text.match(/\bmodel\.[a-zA-Z_.]+/g);
      assert.equal(keys, null, `message keys: ${keys}`);
      for (const english of ['Bands', 'Percentile', 'Missing', 'Tier cuts', 'Key accounts', 'Membership', 'Grade', 'Triangle', 'Operator', 'valid'])
        assert.ok(!text.includes(english), `"${english}" in Chinese`);
    };
    await untranslated();
    assert.match(await page.textContent('[data-test=tiers]'), /大客户[\s\S]*主要客户[\s\S]*普通客户[\s\S]*小客户/);
    await page.click('[data-test=method-fuzzy]');
    await page.waitForSelector('[data-test=fuzzy-grades]');
    await page.waitForSelector('[data-test=model-valid]');
    await untranslated();
    assert.match(await page.textContent('[data-test=fuzzy-card]'), /模糊综合评价/);
  }, { locale: 'zh-CN' });
});

// Writes through the API as the signed-in page (its cookie and CSRF token).
async function apiWrite(page, method, path, data) {
  const csrf = await page.evaluate(() => sessionStorage.getItem('kam.csrf'));
  const r = await page.request.fetch(`/api/v1${path}`, { method, headers: { 'X-CSRF-Token': csrf }, data });
  const text = await r.text();
  return { status: r.status(), body: text ? JSON.parse(text) : null };
}

// Fills a field of a record dialog: a text input, a date picker, or a select (typed, then the
// option whose text includes pick).
async function fillField(page, test, key, value, pick) {
  const item = page.locator(`[data-test=${test}-item-${key}]`);
  if (pick !== undefined) {
    await item.locator('.el-select').click();
    await page.keyboard.type(value);
    await page.click(`.el-select-dropdown:visible .el-select-dropdown__item:has-text("${pick}")`);
    return;
  }
  const input = item.locator('input, textarea').first();
  await input.fill(value);
  if (await item.locator('.el-date-editor').count()) await input.press('Enter');
}
const fieldError = (page, test, key) => page.locator(`[data-test=${test}-item-${key}] .el-form-item__error`);
// Fills the fields of a record dialog in order: { key: value }, or { key: [value, pick] } for a select.
async function fillFields(page, test, values) {
  for (const [key, v] of Object.entries(values)) await fillField(page, test, key, ...(Array.isArray(v) ? v : [v]));
}
// Saves a record dialog the server refuses: its message shows under the field named.
async function saveRefused(page, test, key, message) {
  await page.click(`[data-test=${test}-save]`);
  await fieldError(page, test, key).waitFor();
  assert.match(await fieldError(page, test, key).textContent(), message);
}
const sumRevenue = (view) => view.months.reduce((a, m) => a + Number(m.revenue), 0);

test('a rep creates an account and adds its contacts, order lines, invoices and tags; an account with history is not deleted, a fresh one is', async () => {
  await withPage('account-records', async (page) => {
    await signIn(page, 'rep-east-1');
    const existing = (await apiGet(page, '/accounts?per_page=1')).body.items[0].code;
    await page.click('[data-test=nav-accounts]');
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');

    // New account: the server's refusals show under their fields, a taken code under the code.
    await page.click('[data-test=account-new]');
    await page.waitForSelector('[data-test=new-account-dialog]');
    assert.equal(await page.locator('[data-test=new-account-item-owner]').count(), 0, 'a rep does not choose the owner');
    const code = 'E2E-NEW-1';
    await fillFields(page, 'new-account', { code, name: '华东测试客户', region: '华东', city: '杭州', credit_limit: '-5' });
    await saveRefused(page, 'new-account', 'credit_limit', /must not be negative/);
    assert.equal((await apiGet(page, `/accounts/${code}`)).status, 404, 'nothing created');
    await fillFields(page, 'new-account', { credit_limit: '50000', code: existing });
    await page.click('[data-test=new-account-save]');
    await page.waitForFunction((c) => document.querySelector('[data-test=new-account-item-code] .el-form-item__error')?.textContent.includes(`account '${c}' already exists`), existing);
    await fillField(page, 'new-account', 'code', code);
    await fillField(page, 'new-account', 'justification', '新开发的华东客户');
    await page.click('[data-test=new-account-save]');
    // The new account opens on its 360 page.
    await page.waitForURL(new RegExp(`/accounts/${code}$`));
    await page.waitForSelector('[data-test=orders] [data-test=empty]');
    assert.match(await page.textContent('[data-test=account-name]'), /华东测试客户/);
    const account = (await apiGet(page, `/accounts/${code}`)).body;
    assert.equal(account.owner, 'rep-east-1', "a rep's new account is theirs");
    assert.equal(account.credit_limit, '50000');
    assert.equal(account.city, '杭州');
    assert.equal(account.justification, '新开发的华东客户');
    assert.equal(sumRevenue((await apiGet(page, `/accounts/${code}/view?months=24`)).body), 0, 'no revenue yet');
    assert.equal((await page.textContent('[data-test=revenue-months]')).trim(), 'CN¥0');

    // A contact.
    await page.waitForSelector('[data-test=contacts] [data-test=empty]');
    await page.click('[data-test=contact-add]');
    await fillFields(page, 'contact', { name: '陈经理', title: '采购经理', phone: '13800001111', email: 'chen@example.cn' });
    await page.click('[data-test=contact-save]');
    await page.waitForFunction(() => document.querySelector('[data-test=contacts-table]')?.textContent.includes('陈经理'));
    const contacts = (await apiGet(page, `/accounts/${code}/contacts`)).body;
    assert.equal(contacts.total, 1);
    assert.deepEqual([contacts.items[0].name, contacts.items[0].title, contacts.items[0].email], ['陈经理', '采购经理', 'chen@example.cn']);

    // An order line: listed, and the view's revenue moves.
    const product = (await apiGet(page, '/products?per_page=1')).body.items[0];
    await page.click('[data-test=order-add]');
    await page.waitForSelector('[data-test=order-dialog]');
    const line = { order_id: 'SO-E2E-1', date: '2025-12-15', product: [product.sku, product.name] };
    await fillFields(page, 'order', { ...line, quantity: '3', unit_price: '100', discount: '20', channel: ['direct', 'Direct'] });
    await page.click('[data-test=order-save]');
    await page.waitForFunction(() => document.querySelector('[data-test=orders-table]')?.textContent.includes('SO-E2E-1'));
    const orders = (await apiGet(page, `/accounts/${code}/orders`)).body;
    assert.equal(orders.total, 1);
    assert.deepEqual(
      [orders.items[0].order_id, orders.items[0].line_no, orders.items[0].product, orders.items[0].amount, orders.items[0].channel],
      ['SO-E2E-1', 1, product.sku, '280', 'direct'],
      'amount = 3 × 100 − 20',
    );
    const row = await page.textContent('[data-test=orders-table] .el-table__body tr');
    assert.ok(row.includes(product.name) && row.includes('CN¥280.00') && row.includes('Direct'), row);
    const revenue = sumRevenue((await apiGet(page, `/accounts/${code}/view?months=24`)).body);
    assert.equal(revenue, 280, "the view's revenue moved");
    await page.waitForFunction(() => document.querySelector('[data-test=revenue-months]')?.textContent.trim() === 'CN¥280');
    // The same line again is a duplicate key: said under the order id, nothing written.
    await page.click('[data-test=order-add]');
    await fillFields(page, 'order', { ...line, quantity: '1', amount: '10' });
    await saveRefused(page, 'order', 'order_id', /already exists/);
    await page.click('[data-test=order-dialog] .el-dialog__footer button:not(.el-button--primary)');
    assert.equal((await apiGet(page, `/accounts/${code}/orders`)).body.total, 1);

    // An invoice due in the past: a due date before the issue date is refused under the field;
    // then the invoice shows as overdue, as the view's open receivables count it.
    await page.click('[data-test=payment-add]');
    await fillFields(page, 'payment', { invoice: 'INV-E2E-1', amount: '280', issued: '2025-10-01', due: '2025-09-30' });
    await saveRefused(page, 'payment', 'due', /before the issue date/);
    await fillField(page, 'payment', 'due', '2025-10-31');
    await page.click('[data-test=payment-save]');
    await page.waitForSelector('[data-test=payment-status-INV-E2E-1][data-status=overdue]');
    assert.equal((await page.textContent('[data-test=payment-status-INV-E2E-1]')).trim(), 'Overdue');
    const payments = (await apiGet(page, `/accounts/${code}/payments`)).body;
    assert.equal(payments.total, 1);
    assert.deepEqual([payments.items[0].amount, payments.items[0].due, payments.items[0].paid], ['280', '2025-10-31', null]);
    const view = (await apiGet(page, `/accounts/${code}/view?months=24`)).body;
    const open = view.open_receivables.find((r) => r.invoice === 'INV-E2E-1');
    assert.ok(open && open.days_overdue > 0 && view.as_of > '2025-10-31', 'the API counts it overdue too');
    await page.waitForFunction(() => document.querySelector('[data-test=receivables]')?.textContent.includes('INV-E2E-1'));
    await page.hover('[data-test=payment-status-INV-E2E-1]');
    await page.waitForSelector(`.el-popper:visible:has-text("${open.days_overdue} days past its due date")`);

    // A new tag with a colour; then removed.
    await page.click('[data-test=tag-add]');
    await page.fill('[data-test=tag-name]', 'e2e-new');
    await page.waitForSelector('[data-test=tag-color]');
    await page.click('[data-test=tag-color] .el-color-picker__trigger');
    await page.click('.el-color-picker__panel:visible .el-color-predefine__color-selector >> nth=2');
    await page.click('.el-color-picker__panel:visible button.el-color-footer__btn');
    await page.click('[data-test=tag-save]');
    await page.waitForSelector('[data-test=tag-e2e-new]');
    let tags = (await apiGet(page, `/accounts/${code}/tags`)).body.items;
    assert.deepEqual(tags.map((x) => x.name), ['e2e-new']);
    assert.equal(tags[0].color.toLowerCase(), '#e6a23c', 'the colour picked');
    assert.ok((await apiGet(page, '/tags')).body.items.some((x) => x.name === 'e2e-new' && x.accounts === 1));
    await page.click('[data-test=tag-e2e-new] .el-tag__close');
    await page.waitForSelector('[data-test=tag-e2e-new]', { state: 'detached' });
    await page.waitForSelector('[data-test=tags-none]');
    tags = (await apiGet(page, `/accounts/${code}/tags`)).body.items;
    assert.deepEqual(tags, []);

    // Deleting it is refused: it has history. The server's reason is shown; it still exists.
    await page.click('[data-test=delete-account]');
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForSelector('[data-test=delete-refused]');
    const refusedText = await page.textContent('[data-test=delete-refused]');
    const again = await apiWrite(page, 'DELETE', `/accounts/${code}?version=${account.version}`);
    assert.equal(again.status, 409);
    assert.match(again.body.detail, /history stays/);
    assert.ok(refusedText.includes(again.body.detail), `the server's detail is shown: ${refusedText}`);
    assert.equal((await apiGet(page, `/accounts/${code}`)).status, 200, 'the account still exists');
    assert.match(page.url(), new RegExp(`/accounts/${code}$`));

    // A fresh account without history is deleted: back on the list, and gone.
    const fresh = await apiWrite(page, 'POST', '/accounts', { code: 'E2E-NEW-2', name: '待删除客户' });
    assert.equal(fresh.status, 201);
    await page.goto('/accounts/E2E-NEW-2');
    await page.waitForSelector('[data-test=orders] [data-test=empty]');
    await page.click('[data-test=delete-account]');
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForURL(/\/accounts$/);
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');
    await page.waitForSelector('.el-message--success:has-text("E2E-NEW-2")');
    assert.equal((await apiGet(page, '/accounts/E2E-NEW-2')).status, 404);
  });
  // The same account in Chinese (the status, channel and other keys built at run time) and on
  // a tablet: no message key, no English words, no sideways scrolling.
  await withPage('account-records-zh-tablet', async (page) => {
    await signIn(page, 'rep-east-1');
    await page.goto('/accounts/E2E-NEW-1');
    await page.waitForSelector('[data-test=payment-status-INV-E2E-1]');
    await page.waitForSelector('[data-test=orders-table] .el-table__row');
    const text = await page.evaluate(() => document.body.innerText);
    const keys = text.match(/\b(?:orders|payments|contacts|tags|channel|delete|newAccount|record|account)\.[a-zA-Z_.]+/g);
    assert.equal(keys, null, `message keys: ${keys}`);
    for (const english of ['Order lines', 'Invoices', 'Overdue', 'Contacts', 'Tags', 'Delete account', 'Add', 'Direct', 'Revenue'])
      assert.ok(!text.includes(english), `"${english}" in Chinese`);
    assert.match(text, /订单行[\s\S]*发票与回款/);
    assert.equal((await page.textContent('[data-test=payment-status-INV-E2E-1]')).trim(), '逾期');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the account page fits');
    await page.click('[data-test=order-add]');
    await page.waitForSelector('[data-test=order-dialog]');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the dialog fits');
  }, { locale: 'zh-CN', viewport: { width: 820, height: 1180 } });
});

test('a viewer sees an account without any way to change it; the API refuses their writes', async () => {
  let code;
  await withPage('viewer-setup', async (page) => {
    await signIn(page, 'admin');
    const r = await apiWrite(page, 'POST', '/users', { username: 'viewer-east', role: 'viewer', team: 'east', password: 'viewer-password-1' });
    assert.equal(r.status, 201);
    code = (await apiGet(page, '/accounts?owner=rep-east-1&sort=revenue&per_page=1')).body.items[0].code;
  });
  await withPage('viewer-account', async (page) => {
    await signIn(page, 'viewer-east', 'viewer-password-1');
    await page.click('[data-test=nav-accounts]');
    await page.waitForSelector('[data-test=accounts-table] .el-table__row');
    assert.equal(await page.locator('[data-test=account-new]').count(), 0, 'no "New account"');
    await page.goto(`/accounts/${code}`);
    await page.waitForSelector('[data-test=orders-table] .el-table__row');
    await page.waitForSelector('[data-test=payments-table] .el-table__row');
    await page.waitForSelector('[data-test=contacts]');
    await page.waitForSelector('[data-test=account-tags]');
    const orders = (await apiGet(page, `/accounts/${code}/orders?per_page=20`)).body;
    assert.equal(await page.locator('[data-test=orders-table] .el-table__body tr').count(), orders.items.length, 'a page of the order lines');
    assert.ok((await page.textContent('[data-test=orders-table]')).includes(orders.items[0].order_id));
    for (const hook of ['edit-profile', 'delete-account', 'order-add', 'payment-add', 'contact-add', 'tag-add', 'ratings', 'run-scoring'])
      assert.equal(await page.locator(`[data-test=${hook}]`).count(), 0, `no ${hook} for a viewer`);
    assert.equal(await page.locator('[data-test=account-tags] .el-tag__close').count(), 0, 'tags cannot be removed');
    for (const [method, path, data] of [
      ['POST', `/accounts/${code}/contacts`, { name: 'x' }],
      ['PUT', `/accounts/${code}/tags/x`, undefined],
      ['DELETE', `/accounts/${code}?version=1`, undefined],
      ['POST', '/accounts', { code: 'E2E-V', name: 'x' }],
    ])
      assert.equal((await apiWrite(page, method, path, data)).status, 403, `${method} ${path}`);
  });
});
