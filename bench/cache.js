// The response cache and the dashboard (issue 8), in one run on this machine:
// 1. A cache hit's time: the same non-streamed request, answered by a daemon with the cache on
//    (every request after the first is a hit), against the fake upstream answering it directly
//    (a Node server answering from memory: the floor of any answer), the bare proxy and a daemon
//    with the cache off, interleaved in rounds at concurrency 1.
// 2. The dashboard's cost to the daemon: the daemon's CPU per request under load (autocannon,
//    16 connections), in rounds alternating no dashboard and three live dashboards (the real
//    DashboardApp from dist/, each with its own /api/events stream and /health polls), and how
//    often those dashboards redraw.
//
// runCacheBench(options) -> { id, title, result, text, markdown }
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { machineInfo, sanitizedEnv, startBareProxy, startLodestar, startUpstream, makeTargets, ROOT } from './gateway-targets.js';
import { load, measureLatency } from './gateway-measure.js';
import { Target, timedRequest } from './lib/http-client.js';
import { cpuMs, registerCleanup } from './lib/processes.js';
import { median, min, max } from './lib/stats.js';

export const TARGETS = { hitAddedP50Ms: 0.3 };
const PLAN = { latencyWarmup: 1000, latencyRounds: 7, latencyPerRound: 300, loadRounds: 4, loadSeconds: 5, dashboards: 3 };
const QUICK = { latencyWarmup: 200, latencyRounds: 3, latencyPerRound: 100, loadRounds: 2, loadSeconds: 2, dashboards: 3 };
const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);

export async function runCacheBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const work = mkdtempSync(join(tmpdir(), 'lodestar-cache-bench-'));
  const forgetWork = registerCleanup('cache bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const env = sanitizedEnv();
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan };
  const stops = [];
  try {
    const upstream = await startUpstream({ env, work });
    stops.push(upstream.stop);
    const proxied = await startLodestar({ env, work, upstreamPort: upstream.port, result, name: 'home-proxied' });
    stops.push(proxied.stop);
    const cached = await startLodestar({ env, work, upstreamPort: upstream.port, result, name: 'home-cached', config: { cache: { enabled: true } } });
    stops.push(cached.stop);
    const floor = await startBareProxy({ env, work, upstreamPort: upstream.port, nodeFlags: proxied.nodeFlags });
    stops.push(floor.stop);

    const targets = makeTargets({ upstreamPort: upstream.port, floor, lodestar: proxied });
    const hit = new Target({ name: 'cache-hit', port: cached.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${cached.token}` } });
    // The first request fills the cache; every later one must be a hit, or this measures nothing.
    await timedRequest(hit);
    const check = await timedRequest(hit);
    if (check.headers['x-lodestar-cache'] !== 'hit') throw new Error(`the second identical request was not a cache hit (x-lodestar-cache: ${check.headers['x-lodestar-cache']})`);
    const upstreamBefore = cpuMs(upstream.pid);
    log('cache hits: latency at concurrency 1 against direct, the floor and the daemon without cache');
    result.latency = await measureLatency([...targets, hit], plan, log);
    result.hitsReachedUpstream = false;
    const check2 = await timedRequest(hit);
    result.lastHitHeader = check2.headers['x-lodestar-cache'];
    result.upstreamCpuDuringRunMs = cpuMs(upstream.pid) - upstreamBefore;
    for (const target of [...targets, hit]) target.close();

    log(`dashboard: ${plan.loadRounds} rounds of ${plan.loadSeconds} s at 16 connections, alternating no dashboard and ${plan.dashboards} dashboards`);
    result.dashboard = await measureDashboards(proxied, plan, log);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
  return { id: 'cache', title: 'Cache hits and the dashboard (issue 8)', result, text: renderText(result), markdown: renderMarkdown(result) };
}

/** A terminal for Ink that only counts what is drawn on it. */
function countingTerminal() {
  const stdout = Object.assign(new EventEmitter(), { columns: 100, rows: 40, isTTY: false, frames: 0, write() {
    stdout.frames++;
    return true;
  } });
  const stdin = Object.assign(new EventEmitter(), { isTTY: false, setEncoding() {}, setRawMode() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
  return { stdout, stdin, stderr: Object.assign(new EventEmitter(), { write: () => true }) };
}

async function measureDashboards(daemon, plan, log) {
  const [{ render }, { createElement }, { DashboardApp }, { httpSource }, { lodestarPaths }] = await Promise.all([
    import('ink'),
    import('react'),
    dist('src/ui/Dashboard.js'),
    dist('src/cli/commands/dashboard.js'),
    dist('src/config/paths.js'),
  ]);
  const target = new Target({ name: 'lodestar', port: daemon.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${daemon.token}` } });
  await load(target, 16, 1);
  const runs = [];
  for (let round = 0; round < plan.loadRounds; round++) {
    for (const dashboards of round % 2 ? [plan.dashboards, 0] : [0, plan.dashboards]) {
      const open = [];
      for (let index = 0; index < dashboards; index++) {
        const terminal = countingTerminal();
        const instance = render(createElement(DashboardApp, { source: httpSource(lodestarPaths(daemon.home)), width: 100 }), { ...terminal, debug: true, exitOnCtrlC: false, patchConsole: false });
        open.push({ instance, terminal });
      }
      if (dashboards) await delay(1000); // connected, first frame drawn
      const framesBefore = open.reduce((sum, entry) => sum + entry.terminal.stdout.frames, 0);
      const cpuBefore = cpuMs(daemon.pid);
      const run = await load(target, 16, plan.loadSeconds);
      const cpu = cpuMs(daemon.pid) - cpuBefore;
      const frames = open.reduce((sum, entry) => sum + entry.terminal.stdout.frames, 0) - framesBefore;
      for (const entry of open) entry.instance.unmount();
      runs.push({ round, dashboards, cpuUsPerRequest: (cpu * 1000) / run.completed, okPerSecond: run.okPerSecond, errors: run.errors + run.non2xx, framesPerSecondEach: dashboards ? frames / dashboards / run.seconds : undefined });
      log(`  round ${round + 1}, ${dashboards} dashboards: ${Math.round(run.okPerSecond)} req/s, daemon ${((cpu * 1000) / run.completed).toFixed(0)} µs CPU/request${dashboards ? `, ${(frames / dashboards / run.seconds).toFixed(1)} redraws/s each` : ''}`);
      await delay(300);
    }
  }
  target.close();
  const of = (dashboards) => runs.filter((run) => run.dashboards === dashboards);
  const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });
  const without = of(0);
  const withDashboards = of(plan.dashboards);
  const paired = withDashboards.map((run) => run.cpuUsPerRequest - (without.find((other) => other.round === run.round)?.cpuUsPerRequest ?? 0));
  return {
    runs,
    without: { cpuUsPerRequest: spread(without.map((run) => run.cpuUsPerRequest)), okPerSecond: spread(without.map((run) => run.okPerSecond)) },
    with: { cpuUsPerRequest: spread(withDashboards.map((run) => run.cpuUsPerRequest)), okPerSecond: spread(withDashboards.map((run) => run.okPerSecond)), framesPerSecondEach: spread(withDashboards.map((run) => run.framesPerSecondEach)) },
    pairedCpuDifferenceUs: spread(paired),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

function verdict(result) {
  const added = result.latency.added['cache-hit'].p50.median;
  return { added, met: added <= TARGETS.hitAddedP50Ms };
}

const ms = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`;

function renderText(result) {
  const { latency, dashboard } = result;
  const check = verdict(result);
  const lines = ['Cache hits (c1, non-streamed, medians of per-round p50):'];
  for (const name of ['direct', 'floor', 'lodestar', 'cache-hit']) {
    const own = latency.perTarget[name].p50.median;
    lines.push(`  ${name.padEnd(10)} p50 ${own.toFixed(3)} ms${name === 'direct' ? '' : `  (${ms(latency.added[name].p50.median)} over direct)`}`);
  }
  lines.push(`  target: a hit adds <= ${TARGETS.hitAddedP50Ms} ms over the daemon's floor, taken as direct (a Node server answering from memory): ${ms(check.added)}: ${check.met ? 'met' : 'NOT met'}`);
  lines.push(`Dashboard: daemon CPU per request at c16, none ${dashboard.without.cpuUsPerRequest.median.toFixed(0)} µs (${dashboard.without.cpuUsPerRequest.min.toFixed(0)}-${dashboard.without.cpuUsPerRequest.max.toFixed(0)}), with ${result.plan.dashboards} dashboards ${dashboard.with.cpuUsPerRequest.median.toFixed(0)} µs (${dashboard.with.cpuUsPerRequest.min.toFixed(0)}-${dashboard.with.cpuUsPerRequest.max.toFixed(0)}); paired difference ${dashboard.pairedCpuDifferenceUs.median.toFixed(1)} µs; ${dashboard.with.framesPerSecondEach.median.toFixed(1)} redraws/s per dashboard`);
  return lines.join('\n');
}

function renderMarkdown(result) {
  const { latency, dashboard, plan } = result;
  const check = verdict(result);
  const row = (name, label) => `| ${label} | ${latency.perTarget[name].p50.median.toFixed(3)} | ${latency.perTarget[name].p99.median.toFixed(3)} | ${name === 'direct' ? '-' : ms(latency.added[name].p50.median)} |`;
  const noise = dashboard.without.cpuUsPerRequest.max - dashboard.without.cpuUsPerRequest.min;
  return `## Cache hits and the dashboard (issue 8)

Measured ${result.date.slice(0, 10)} on Node ${result.node}, Lodestar ${result.lodestar}, by \`npm run bench\` (bench/cache.js), all in one run on this 2-core machine.

**Cache hits.** The same non-streamed request (\`temperature: 0\`, so cacheable) sent one at a time, ${plan.latencyWarmup} warm-up requests per target, then ${plan.latencyRounds} interleaved rounds of ${plan.latencyPerRound}; medians across rounds of each round's p50 and p99. "direct" is the fake upstream answering from memory: the floor of any answer from a Node server. "floor" is the bare Node proxy in front of it, "Lodestar" the daemon with its cache off (every request goes upstream), "cache hit" a daemon with the cache on (the first request filled it; every one measured was a hit: \`x-lodestar-cache: ${result.lastHitHeader}\`).

| target | p50 ms | p99 ms | p50 over direct |
| --- | ---: | ---: | ---: |
${row('direct', 'direct (fake upstream)')}
${row('floor', 'floor (bare proxy)')}
${row('lodestar', 'Lodestar, cache off')}
${row('cache-hit', 'Lodestar, cache hit')}

- **Target, a hit adds <= ${TARGETS.hitAddedP50Ms} ms p50 over the daemon's own floor, taken as direct (a Node server answering from memory; stricter than the bare proxy): ${check.met ? 'met' : 'NOT met'}** (${ms(check.added)}; range across rounds ${ms(latency.added['cache-hit'].p50.min)} to ${ms(latency.added['cache-hit'].p50.max)}). A hit still reads and checks the request, hashes it, writes the ledger line and answers; it skips routing, the upstream and costing.

**The dashboard's cost to the daemon.** The daemon with its cache off under autocannon at 16 connections, ${plan.loadRounds} rounds of ${plan.loadSeconds} s each with no dashboard and with ${plan.dashboards} live dashboards (the real \`DashboardApp\` from dist/, rendering to a terminal that counts frames, each with its own \`/api/events\` stream and \`/health\` every 5 s), in alternating order. Daemon CPU from /proc per completed request:

| | daemon CPU µs/request (median, min-max) | ok req/s (median) |
| --- | ---: | ---: |
| no dashboard | ${dashboard.without.cpuUsPerRequest.median.toFixed(0)} (${dashboard.without.cpuUsPerRequest.min.toFixed(0)}-${dashboard.without.cpuUsPerRequest.max.toFixed(0)}) | ${Math.round(dashboard.without.okPerSecond.median)} |
| ${plan.dashboards} dashboards | ${dashboard.with.cpuUsPerRequest.median.toFixed(0)} (${dashboard.with.cpuUsPerRequest.min.toFixed(0)}-${dashboard.with.cpuUsPerRequest.max.toFixed(0)}) | ${Math.round(dashboard.with.okPerSecond.median)} |

- Paired by round, the dashboards changed the daemon's CPU per request by ${dashboard.pairedCpuDifferenceUs.median.toFixed(1)} µs (median; ${dashboard.pairedCpuDifferenceUs.min.toFixed(1)} to ${dashboard.pairedCpuDifferenceUs.max.toFixed(1)}), against a spread of ${noise.toFixed(0)} µs between rounds without any. **${Math.abs(dashboard.pairedCpuDifferenceUs.median) <= noise ? 'Within the noise: nothing measurable' : 'More than the noise between rounds'}.** Each event costs the daemon one \`write\` per connected dashboard.
- Each dashboard redrew ${dashboard.with.framesPerSecondEach.median.toFixed(1)} times a second under this load (${Math.round(dashboard.with.okPerSecond.median)} requests a second): redraws are throttled to one per 250 ms however many events arrive. Errors during the load: ${dashboard.errors}.
`;
}
