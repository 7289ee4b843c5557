// Gateway overhead (issue 3): what Lodestar adds between a client and an OpenAI-compatible
// upstream, next to the same upstream reached directly, through a bare Node proxy (the floor:
// what any Node proxy pays here) and through the Portkey gateway, all measured in one run with
// the targets interleaved.
//
// runGatewayBench(options) -> { id, title, result, text, markdown }
//
// Files: gateway.js (this: the order of things, and the issue's targets), gateway-targets.js
// (the processes of each target), gateway-measure.js (the timed runs and their sums),
// gateway-report.js (the terminal text and the BENCHMARKS.md section).
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { get } from './lib/http-client.js';
import { fixed, signed } from './lib/markdown.js';
import { childEnv, machineCpuMs, registerCleanup, RssSampler, rssMiB } from './lib/processes.js';
import { backgroundLoad, liveHeap, measureLatency, measureStreams, measureThroughput, memorySummary, sanityCheck } from './gateway-measure.js';
import { renderMarkdown, renderText } from './gateway-report.js';
import {
  autocannonVersion,
  healthMemory,
  ledgerStats,
  logStats,
  machineInfo,
  makeTargets,
  portkeyVersion,
  readJson,
  ROOT,
  sanitizedEnv,
  startBareProxy,
  startLodestar,
  startPortkey,
  startUpstream,
} from './gateway-targets.js';

export const TARGETS_ISSUE = {
  addedP50Ms: 0.25,
  throughputShareOfDirect: 0.5,
  throughputMultipleOfPortkey: 10,
  addedFirstChunkMs: 1,
  idleRssMB: 70,
};

const DEFAULTS = {
  latencyWarmup: 1000,
  latencyRounds: 7,
  latencyPerRound: 300,
  streamWarmup: 200,
  streamRounds: 7,
  streamPerRound: 100,
  loadWarmupSeconds: 1,
  loadRounds: 2,
  loadSeconds: 5,
  concurrencies: [16, 64],
};

const QUICK = {
  latencyWarmup: 200,
  latencyRounds: 3,
  latencyPerRound: 100,
  streamWarmup: 50,
  streamRounds: 3,
  streamPerRound: 30,
  loadWarmupSeconds: 1,
  loadRounds: 1,
  loadSeconds: 2,
  concurrencies: [16, 64],
};

/**
 * options: { quick, cpuProf, keep, log, plan } — quick: a short smoke run; cpuProf: run the
 * daemon under --cpu-prof and summarize where its time went; keep: leave the temp dir (logs)
 * behind; plan: override parts of the plan.
 */
export async function runGatewayBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : DEFAULTS), ...options.plan };
  const startedAt = new Date();
  const work = mkdtempSync(join(tmpdir(), 'lodestar-bench-'));
  const keepWork = options.keep || options.cpuProf;
  const forgetWork = registerCleanup('temp dir', () => {
    if (!keepWork) rmSync(work, { recursive: true, force: true });
  });
  const env = childEnv(sanitizedEnv());
  const context = { env, work, cpuProf: Boolean(options.cpuProf) };
  const stoppers = [];
  const machineAtStart = machineCpuMs();
  const benchCpuAtStart = process.cpuUsage();
  const result = {
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    autocannon: autocannonVersion(),
    plan,
    quick: Boolean(options.quick),
    cpuProf: Boolean(options.cpuProf),
    portkey: { version: portkeyVersion(), ok: false, error: undefined },
    memory: {},
    sanity: {},
  };

  try {
    // 1. The processes, each on its own: the fake upstream, Lodestar as a user starts it, the
    // bare proxy with the same Node flags `lodestar start` gave the daemon, and Portkey.
    log('starting the fake upstream');
    const upstream = await startUpstream(context);
    stoppers.push(upstream.stop);
    log('starting the Lodestar daemon');
    const lodestar = await startLodestar({ ...context, upstreamPort: upstream.port, result });
    stoppers.unshift(lodestar.stop);
    result.lodestarNodeFlags = lodestar.nodeFlags;
    log(`  its Node flags: ${lodestar.nodeFlags?.join(' ') || '(none)'}`);
    log('starting the bare Node proxy (the floor)');
    const floor = await startBareProxy({ ...context, upstreamPort: upstream.port, nodeFlags: lodestar.nodeFlags ?? [] });
    stoppers.unshift(floor.stop);
    result.floorNodeFlags = floor.nodeFlags;
    let portkey;
    try {
      log('starting the Portkey gateway');
      portkey = await startPortkey(context);
      stoppers.unshift(portkey.stop);
    } catch (error) {
      result.portkey.error = error.message;
      log(`Portkey did not start: ${error.message}`);
    }

    const targets = makeTargets({ upstreamPort: upstream.port, floor, lodestar, portkey });
    const pids = { floor: floor.pid, lodestar: lodestar.pid, ...(portkey ? { portkey: portkey.pid } : {}), upstream: upstream.pid };

    // 2. Idle memory, before any request.
    await delay(2000);
    result.memory.idle = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));
    result.memory.lodestarHealth = { idle: await healthMemory(lodestar.port) };
    log(`idle RSS: ${Object.entries(result.memory.idle).map(([name, mb]) => `${name} ${fixed(mb, 1)} MiB`).join(', ')}`);
    if (options.cpuProf) await liveHeap(lodestar.pid);

    // 3. Every target answers correctly before anything is timed. Portkey, if its streams fail,
    // stays in the non-streamed measurements and is left out of the streamed one, with the reason.
    for (const target of [...targets]) {
      const check = await sanityCheck(target, upstream.port, portkey?.logPath);
      result.sanity[target.name] = check;
      if (target.name !== 'portkey' && (!check.plain.ok || !check.stream.ok)) {
        throw new Error(`${target.name} failed its sanity check: ${[...check.plain.problems, ...check.stream.problems].join('; ')}`);
      }
      if (!check.plain.ok) {
        result.portkey.error = `its non-streamed answers are wrong: ${check.plain.problems.join('; ')}`;
        targets.splice(targets.indexOf(target), 1);
        delete pids.portkey;
        log(`Portkey left out: ${result.portkey.error}`);
      } else if (!check.stream.ok) {
        result.portkey.streamError = check.stream.problems.join('; ');
        log(`Portkey's streams fail, so it is left out of the streamed measurement: ${result.portkey.streamError}`);
      }
    }
    result.portkey.ok = targets.some((target) => target.name === 'portkey');
    const requestsBeforeTiming = JSON.parse((await get(upstream.port, '/__stats')).body).served;

    // 4. The timed runs: latency at c1, the first streamed chunk, throughput (memory sampled).
    result.latency = await measureLatency(targets, plan, log);
    result.stream = await measureStreams(
      targets.filter((target) => result.sanity[target.name].stream.ok),
      plan,
      log,
    );
    const sampler = new RssSampler(pids, 100);
    result.throughput = await measureThroughput(targets, pids, plan, sampler, log);

    // 5. Memory again, 2 s after the load; what the daemon logged; the machine's other load.
    await delay(2000);
    result.memory.afterLoad = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMiB(pid)]));
    result.memory.lodestarHealth.afterLoad = await healthMemory(lodestar.port);
    if (options.cpuProf) await liveHeap(lodestar.pid);
    result.memory.windows = sampler.windows;
    result.memory.summary = memorySummary(result.memory, pids, plan.loadRounds);

    for (const target of targets) target.close();
    result.background = backgroundLoad(machineAtStart, benchCpuAtStart, pids, Date.now() - startedAt.getTime(), result.machine.cpus);
    result.upstreamServed = JSON.parse((await get(upstream.port, '/__stats')).body).served;
    result.requestsTimed = result.upstreamServed - requestsBeforeTiming;
    result.lodestarLog = logStats(lodestar.logPath);
    result.lodestarLedger = ledgerStats(lodestar.home);

    // 6. Stop everything: Lodestar with `lodestar stop`, the others with SIGTERM.
    for (const stop of stoppers) await stop();
    stoppers.length = 0;

    if (options.cpuProf) result.cpuProfile = readProfile(lodestar, work);
  } finally {
    for (const stop of stoppers) {
      try {
        await stop();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
    forgetWork();
    if (keepWork) log(`logs and profiles kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  result.finishedAt = new Date().toISOString();
  result.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  result.verdicts = verdicts(result);
  return {
    id: 'gateway',
    title: 'Gateway overhead (issue 3)',
    result,
    text: renderText(result),
    markdown: renderMarkdown(result),
  };
}

function readProfile(lodestar, work) {
  const file = readdirSync(lodestar.profileDir).find((name) => name.includes(`.${lodestar.pid}.`) && name.endsWith('.cpuprofile'));
  const profile = file ? { path: join(lodestar.profileDir, file), ...summarizeCpuProfile(join(lodestar.profileDir, file), { root: ROOT }) } : { error: 'no profile was written' };
  profile.memory = readJson(join(work, `memory.${lodestar.pid}.json`));
  try {
    profile.liveHeap = readFileSync(join(work, `memory.${lodestar.pid}.gc.jsonl`), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  } catch {
    // no answer to SIGUSR2
  }
  return profile;
}

/**
 * The issue's targets, judged for Lodestar as before (against direct and Portkey). `floor` is
 * the same measure for the bare Node proxy: context shown beside the verdict, not part of it.
 */
function verdicts(result) {
  const c16 = result.throughput?.[16];
  const share = (name) => (c16?.[name] ? c16[name].okPerSecond / c16.direct.okPerSecond : undefined);
  const multiple = (name) => (c16?.[name] && c16.portkey ? c16[name].okPerSecond / c16.portkey.okPerSecond : undefined);
  const added = (name) => result.latency?.added?.[name]?.p50?.median;
  const firstChunk = (name) => result.stream?.added?.[name]?.p50?.median;
  const memory = (name) => result.memory.summary?.[name];
  const flat = (m) => (m ? (m.growthLastVsFirstRound === undefined || m.growthLastVsFirstRound <= 5) && m.peakUnderLoad <= 2 * m.idle : undefined);
  const ms = (value) => (value === undefined ? 'n/a' : `${fixed(value)} ms`);
  const percent = (value) => (value === undefined ? 'n/a' : `${fixed(value * 100, 1)}%`);
  const times = (value) => (value === undefined ? (result.portkey.ok ? 'n/a' : 'Portkey not measured') : `${fixed(value, 2)}x`);
  const mib = (m) => (m ? `${fixed(m.idle, 1)} MiB` : 'n/a');
  const flatText = (m) => (m ? `peak ${fixed(m.peakUnderLoad, 1)} MiB, ${signed(m.growthLastVsFirstRound ?? NaN, 1)} MiB round to round` : 'n/a');
  const judge = (value, ok) => (value === undefined ? undefined : ok(value));
  const L = 'lodestar';
  const F = 'floor';
  return [
    {
      target: 'Added latency p50 at concurrency 1',
      goal: `<= ${TARGETS_ISSUE.addedP50Ms} ms`,
      measured: ms(added(L)),
      met: judge(added(L), (value) => value <= TARGETS_ISSUE.addedP50Ms),
      floor: ms(added(F)),
    },
    {
      target: 'Throughput at concurrency 16, share of direct',
      goal: `>= ${TARGETS_ISSUE.throughputShareOfDirect * 100}%`,
      measured: percent(share(L)),
      met: judge(share(L), (value) => value >= TARGETS_ISSUE.throughputShareOfDirect),
      floor: percent(share(F)),
    },
    {
      target: 'Throughput at concurrency 16, multiple of Portkey',
      goal: `>= ${TARGETS_ISSUE.throughputMultipleOfPortkey}x`,
      measured: times(multiple(L)),
      met: judge(multiple(L), (value) => value >= TARGETS_ISSUE.throughputMultipleOfPortkey),
      floor: times(multiple(F)),
    },
    {
      target: 'First streamed chunk, later than direct (p50)',
      goal: `<= ${TARGETS_ISSUE.addedFirstChunkMs} ms`,
      measured: ms(firstChunk(L)),
      met: judge(firstChunk(L), (value) => value <= TARGETS_ISSUE.addedFirstChunkMs),
      floor: ms(firstChunk(F)),
    },
    {
      target: 'Daemon idle memory (RSS)',
      goal: `<= ${TARGETS_ISSUE.idleRssMB} MB (read as MiB)`,
      measured: mib(memory(L)),
      met: judge(memory(L), (m) => m.idle <= TARGETS_ISSUE.idleRssMB),
      floor: mib(memory(F)),
    },
    {
      target: 'Daemon memory flat under load',
      goal: 'peak <= 2x idle, and +<= 5 MiB from the first load round to the last',
      measured: flatText(memory(L)),
      met: flat(memory(L)),
      floor: flatText(memory(F)),
    },
  ];
}
