// How fast the web UI's dashboard and accounts page become usable on the demo database
// (docs/benchmarks.md, "Web UI"). Run by `make bench-web`, or:
//
//   node bench/web/run.mjs [RUNS]      (default 5; env KAM, KAM_WEB, KAM_CHROMIUM as for the tests)
//
// It creates the demo company (seed 1) with a scoring run in a temporary directory, starts
// `kam serve` on a free loopback port, signs in as the director in Debian's Chromium (headless,
// through playwright-core), and loads each page RUNS times cold (a new browser context: nothing
// cached, a new connection) and RUNS times warm (the same context again: hashed assets from the
// cache, index.html revalidated). For each load it takes the browser's navigation timing
// (DOMContentLoaded, load) and "ready": the moment the page shows its data (the dashboard's five
// charts drawn and its KPIs filled; the accounts table's rows), read from performance.now() in
// the page, whose origin is the start of the navigation. It prints the medians and ranges as a
// markdown table, and the bytes transferred by a cold load.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const KAM = resolve(process.env.KAM || 'build/kam');
const WEB = resolve(process.env.KAM_WEB || 'web/dist');
const CHROMIUM = process.env.KAM_CHROMIUM || '/usr/bin/chromium';
const RUNS = Number(process.argv[2] || 5);

const pages = [
  {
    name: 'dashboard',
    path: '/',
    ready: () =>
      document.querySelectorAll('[data-test^=chart-] canvas').length === 5 &&
      !!document.querySelector('[data-test=kpi-accounts] .value')?.textContent.trim() &&
      !!document.querySelector('[data-test=review] .el-table__row'),
  },
  {
    name: 'accounts',
    path: '/accounts',
    ready: () => document.querySelectorAll('[data-test=accounts-table] .el-table__row').length >= 20,
  },
];

const dir = mkdtempSync(join(tmpdir(), 'kam-bench-web-'));
const db = join(dir, 'demo.db');
let server;
let browser;

function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function serve() {
  return new Promise((ok, fail) => {
    server = spawn(KAM, ['--db', db, 'serve', '--listen', '127.0.0.1:0', '--threads', '4', '--web', WEB], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/on (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) ok(m[1]);
    });
    server.on('exit', (code) => fail(new Error(`kam serve exited with ${code}`)));
  });
}

// One load of page in context: navigation timing and the moment the data shows.
async function measure(context, base, page) {
  const tab = await context.newPage();
  await tab.goto(`${base}${page.path}`, { waitUntil: 'commit' });
  await tab.waitForFunction(page.ready, null, { polling: 'raf', timeout: 30000 });
  const t = await tab.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const bytes = performance.getEntriesByType('resource').reduce((s, r) => s + r.transferSize, nav.transferSize);
    return { ready: performance.now(), dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, bytes };
  });
  await tab.close();
  return t;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x) => `${Math.round(x)}`;

try {
  execFileSync(KAM, ['--db', db, 'demo', '--seed', '1'], { stdio: 'ignore' });
  execFileSync(KAM, ['--db', db, 'score'], { stdio: 'ignore' });
  const base = await serve();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  // The session cookie, made once: every context starts signed in.
  const login = await browser.newContext({ baseURL: base });
  const r = await login.request.post('/api/v1/session', { data: { username: 'director', password: 'kam-demo' } });
  if (r.status() !== 200) throw new Error(`sign-in: ${r.status()}`);
  const state = await login.storageState();
  await login.close();

  const rows = [];
  for (const page of pages) {
    const cold = [];
    const warm = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ storageState: state, viewport: { width: 1366, height: 900 } });
      cold.push(await measure(context, base, page));
      warm.push(await measure(context, base, page));
      await context.close();
    }
    for (const [kind, xs] of [['cold', cold], ['warm', warm]]) {
      const pick = (k) => xs.map((x) => x[k]);
      rows.push(
        `| ${page.name} | ${kind} | ${ms(median(pick('dcl')))} | ${ms(median(pick('load')))} | ` +
          `${ms(median(pick('ready')))} (${ms(Math.min(...pick('ready')))}–${ms(Math.max(...pick('ready')))}) | ` +
          `${Math.round(median(pick('bytes')) / 1024)} |`,
      );
    }
  }
  console.log(`web UI on the demo database (2,000 accounts), ${RUNS} loads each, medians in ms:\n`);
  console.log('| page | cache | DOMContentLoaded | load | ready (range) | KB transferred |');
  console.log('|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  if (browser) await browser.close();
  cleanup();
}
