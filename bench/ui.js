// The web UI (issue 13), in one run on this machine:
// 1. Its assets: every file of dist/web, raw and gzipped as the daemon serves them.
// 2. Time to an interactive overview: a fresh login link (POST /api/ui/login, as `lodestar ui`
//    asks it) opened in headless Chromium, until the month's spend card shows a figure; each
//    run in a new browser context (no cache, no cookie).
// 3. Idle memory: two daemons started alike, one with the UI on, one with ui.enabled false;
//    their RSS after start, and the UI one's again after a page load (the assets then sit in
//    its memory).
// 4. What open pages cost the API: the daemon's CPU per request under load (autocannon, 16
//    connections), in rounds alternating no page and three overview pages open (each with its
//    live /api/events stream and its refreshes).
//
// runUiBench(options) -> { id, title, result, text, markdown }
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { load } from './gateway-measure.js';
import { machineInfo, ROOT, sanitizedEnv, startLodestar, startUpstream } from './gateway-targets.js';
import { get, Target } from './lib/http-client.js';
import { cpuMs, registerCleanup, rssMiB } from './lib/processes.js';
import { max, median, min } from './lib/stats.js';

export const TARGETS = { assetsGzipKB: 300, interactiveMs: 1000, idleRssGrowthMiB: 5 };
const PLAN = { interactiveRuns: 7, memoryPairs: 3, settleMs: 5000, loadRounds: 4, loadSeconds: 5, pages: 3 };
const QUICK = { interactiveRuns: 3, memoryPairs: 1, settleMs: 2000, loadRounds: 2, loadSeconds: 2, pages: 3 };
const CHROMIUM = process.env.LODESTAR_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function runUiBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan };
  result.assets = assetSizes();
  log(`assets: ${(result.assets.gzipBytes / 1024).toFixed(1)} KB gzipped, ${(result.assets.rawBytes / 1024).toFixed(1)} KB raw`);
  if (!existsSync(CHROMIUM)) throw new Error(`the UI bench needs Chromium at ${CHROMIUM} (apt-get install chromium, or set LODESTAR_CHROMIUM)`);
  const { chromium } = await import('playwright-core');

  const work = mkdtempSync(join(tmpdir(), 'lodestar-ui-bench-'));
  const forgetWork = registerCleanup('ui bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const env = sanitizedEnv();
  const stops = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const upstream = await startUpstream({ env, work });
    stops.push(upstream.stop);

    log(`idle memory: ${plan.memoryPairs} pair(s) of daemons, UI on and off, ${plan.settleMs} ms after start`);
    result.memory = await measureMemory({ env, work, upstream, plan, browser, result });

    const daemon = await startLodestar({ env, work, upstreamPort: upstream.port, result, name: 'home-ui' });
    stops.push(daemon.stop);
    const target = new Target({ name: 'lodestar', port: daemon.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${daemon.token}` } });
    await load(target, 4, 1); // some traffic in the ledger, so the overview has figures to draw

    log(`interactive: ${plan.interactiveRuns} fresh logins to the overview`);
    result.interactive = await measureInteractive(browser, daemon, plan);
    log(`  median ${result.interactive.ms.median.toFixed(0)} ms (${result.interactive.ms.min.toFixed(0)}-${result.interactive.ms.max.toFixed(0)})`);

    log(`open pages: ${plan.loadRounds} rounds of ${plan.loadSeconds} s at 16 connections, alternating no page and ${plan.pages} overview pages`);
    result.pages = await measurePages(browser, daemon, target, plan, log);
    target.close();
  } finally {
    await browser.close().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
  return { id: 'ui', title: 'The web UI (issue 13)', result, text: renderText(result), markdown: renderMarkdown(result) };
}

function assetSizes() {
  const dir = join(ROOT, 'dist', 'web');
  if (!existsSync(join(dir, 'index.html'))) throw new Error('dist/web is not built: run npm run build');
  const files = readdirSync(dir).filter((name) => /\.(html|js|css|svg|png|ico|woff2)$/.test(name)).map((name) => {
    const body = readFileSync(join(dir, name));
    return { name, rawBytes: body.length, gzipBytes: /\.(png|woff2)$/.test(name) ? body.length : gzipSync(body, { level: 9 }).length };
  });
  return { files, rawBytes: files.reduce((sum, file) => sum + file.rawBytes, 0), gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0) };
}

async function loginUrl(daemon) {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: daemon.port, path: '/api/ui/login', method: 'POST', headers: { authorization: `Bearer ${daemon.token}` } }, (incoming) => {
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (incoming.statusCode !== 200) reject(new Error(`POST /api/ui/login answered ${incoming.statusCode}: ${body.error?.message}`));
        else resolve(body.url);
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** Opens a fresh login link in a new context; resolves once the month's spend shows a dollar figure. */
async function openOverview(browser, daemon) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const apiCalls = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname.startsWith('/api/') && url.pathname !== '/api/events' && request.method() === 'GET') apiCalls.push(url.pathname + url.search);
  });
  const url = await loginUrl(daemon);
  const started = performance.now();
  await page.goto(url);
  await page.waitForFunction(() => /\$/.test(document.querySelector('[data-testid="spend-month"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
  return { ms: performance.now() - started, context, page, apiCalls };
}

async function measureInteractive(browser, daemon, plan) {
  const runs = [];
  for (let index = 0; index < plan.interactiveRuns + 1; index++) {
    const { ms, context } = await openOverview(browser, daemon);
    await context.close();
    if (index > 0) runs.push(ms); // the first warms the daemon's asset cache and Chromium itself
  }
  return { runs, ms: spread(runs) };
}

async function measureMemory({ env, work, upstream, plan, browser, result }) {
  const pairs = [];
  for (let pair = 0; pair < plan.memoryPairs; pair++) {
    const on = await startLodestar({ env, work, upstreamPort: upstream.port, result, name: `home-mem-on-${pair}` });
    const off = await startLodestar({ env, work, upstreamPort: upstream.port, result, name: `home-mem-off-${pair}`, config: { cache: { enabled: false }, ui: { enabled: false } } });
    try {
      await delay(plan.settleMs);
      const entry = { on: rssMiB(on.pid), off: rssMiB(off.pid) };
      const { context, apiCalls } = await openOverview(browser, on);
      await delay(1000);
      await context.close();
      // The same reads of the API, made with the token, of the daemon without the UI: what is
      // left of the difference is the UI's own (its listener, its files, its logins).
      for (const path of apiCalls) await get(off.port, path, { authorization: `Bearer ${off.token}` }, 20_000);
      entry.apiCalls = apiCalls.length;
      await delay(plan.settleMs);
      entry.onAfterPage = rssMiB(on.pid);
      entry.offLater = rssMiB(off.pid);
      pairs.push(entry);
    } finally {
      await on.stop();
      await off.stop();
    }
  }
  return {
    pairs,
    growthIdleMiB: spread(pairs.map((entry) => entry.on - entry.off)),
    growthAfterPageMiB: spread(pairs.map((entry) => entry.onAfterPage - entry.offLater)),
  };
}

async function measurePages(browser, daemon, target, plan, log) {
  await load(target, 16, 1);
  const runs = [];
  for (let round = 0; round < plan.loadRounds; round++) {
    for (const pages of round % 2 ? [plan.pages, 0] : [0, plan.pages]) {
      const open = [];
      for (let index = 0; index < pages; index++) open.push(await openOverview(browser, daemon));
      if (pages) await delay(1000);
      const cpuBefore = cpuMs(daemon.pid);
      const run = await load(target, 16, plan.loadSeconds);
      const cpu = cpuMs(daemon.pid) - cpuBefore;
      const live = pages ? await Promise.all(open.map((entry) => entry.page.getByTestId('live-request').count())) : [];
      for (const entry of open) await entry.context.close();
      runs.push({ round, pages, cpuUsPerRequest: (cpu * 1000) / run.completed, okPerSecond: run.okPerSecond, errors: run.errors + run.non2xx, liveRows: live });
      log(`  round ${round + 1}, ${pages} pages: ${Math.round(run.okPerSecond)} req/s, daemon ${((cpu * 1000) / run.completed).toFixed(0)} µs CPU/request${pages ? `, live rows ${live.join('/')}` : ''}`);
      await delay(300);
    }
  }
  const of = (pages) => runs.filter((run) => run.pages === pages);
  const without = of(0);
  const withPages = of(plan.pages);
  const paired = withPages.map((run) => run.cpuUsPerRequest - (without.find((other) => other.round === run.round)?.cpuUsPerRequest ?? 0));
  const health = await get(daemon.port, '/health');
  return {
    runs,
    without: { cpuUsPerRequest: spread(without.map((run) => run.cpuUsPerRequest)), okPerSecond: spread(without.map((run) => run.okPerSecond)) },
    with: { cpuUsPerRequest: spread(withPages.map((run) => run.cpuUsPerRequest)), okPerSecond: spread(withPages.map((run) => run.okPerSecond)) },
    pairedCpuDifferenceUs: spread(paired),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    daemonUp: health.status === 200,
  };
}

const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });

function verdicts(result) {
  const { assets, interactive, memory, pages } = result;
  const noise = Math.max(Math.abs(pages.without.cpuUsPerRequest.max - pages.without.cpuUsPerRequest.min), 1);
  return [
    { target: `UI assets <= ${TARGETS.assetsGzipKB} KB gzipped in all`, measured: `${(assets.gzipBytes / 1024).toFixed(1)} KB (${assets.files.length} files, ${(assets.rawBytes / 1024).toFixed(1)} KB raw)`, met: assets.gzipBytes / 1024 <= TARGETS.assetsGzipKB },
    { target: `overview interactive <= ${TARGETS.interactiveMs} ms after the login link`, measured: `${interactive.ms.median.toFixed(0)} ms median (${interactive.ms.min.toFixed(0)}-${interactive.ms.max.toFixed(0)}, ${interactive.runs.length} fresh logins)`, met: interactive.ms.median <= TARGETS.interactiveMs },
    {
      target: `idle RSS grows <= ${TARGETS.idleRssGrowthMiB} MB with the UI on`,
      measured: `${memory.growthIdleMiB.median.toFixed(1)} MiB before any page, ${memory.growthAfterPageMiB.median.toFixed(1)} MiB after a page load, the same API reads made of both (${memory.pairs.length} pair(s))`,
      met: memory.growthAfterPageMiB.median <= TARGETS.idleRssGrowthMiB && memory.growthIdleMiB.median <= TARGETS.idleRssGrowthMiB,
    },
    {
      target: `${result.plan.pages} open overview pages cost the API path nothing measurable`,
      measured: `paired difference ${pages.pairedCpuDifferenceUs.median.toFixed(1)} µs CPU a request (${pages.pairedCpuDifferenceUs.min.toFixed(1)} to ${pages.pairedCpuDifferenceUs.max.toFixed(1)}); rounds without pages vary by ${noise.toFixed(0)} µs`,
      met: Math.abs(pages.pairedCpuDifferenceUs.median) <= noise,
    },
  ];
}

function renderText(result) {
  return verdicts(result).map((entry) => `${entry.met ? 'met    ' : 'NOT met'} ${entry.target}: ${entry.measured}`).join('\n');
}

function renderMarkdown(result) {
  const { assets, memory, pages } = result;
  const lines = [
    '## The web UI (issue 13)',
    '',
    `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, by \`npm run bench -- ui\` (bench/ui.js), in Debian's headless Chromium driven by playwright-core.`,
    '',
    '| target | measured | |',
    '| --- | --- | --- |',
    ...verdicts(result).map((entry) => `| ${entry.target} | ${entry.measured} | ${entry.met ? 'met' : '**not met**'} |`),
    '',
    `Assets, as the daemon serves them (gzip level 9, computed once on the first page load): ${assets.files.map((file) => `${file.name} ${(file.gzipBytes / 1024).toFixed(1)} KB`).join(', ')}.`,
    '',
    `Idle RSS, daemons started alike (UI on / UI off): ${memory.pairs.map((pair) => `${pair.on.toFixed(1)} / ${pair.off.toFixed(1)} MiB at start; ${pair.onAfterPage.toFixed(1)} / ${pair.offLater.toFixed(1)} MiB after the overview was opened on the first and its ${pair.apiCalls} reads of the API (budgets, the month's reports, health) were made of the second with the token`).join('; ')}. Those reports are what grow a daemon by several MiB, UI or not (\`lodestar report\` and the dashboard make the same reads).`,
    '',
    `Under load (16 connections, ${result.plan.loadSeconds} s rounds): without pages ${pages.without.cpuUsPerRequest.median.toFixed(0)} µs CPU a request (${pages.without.cpuUsPerRequest.min.toFixed(0)}-${pages.without.cpuUsPerRequest.max.toFixed(0)}), ${Math.round(pages.without.okPerSecond.median)} req/s; with ${result.plan.pages} overview pages ${pages.with.cpuUsPerRequest.median.toFixed(0)} µs (${pages.with.cpuUsPerRequest.min.toFixed(0)}-${pages.with.cpuUsPerRequest.max.toFixed(0)}), ${Math.round(pages.with.okPerSecond.median)} req/s; ${pages.errors} errors.`,
  ];
  return lines.join('\n');
}
