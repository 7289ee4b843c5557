// The timed parts of the gateway benchmark: the sanity check before anything is timed, latency
// at concurrency 1, time to the first streamed chunk, throughput under autocannon (with CPU and
// memory sampled), and how the rounds are summed up.
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { get, timedRequest, timedStream } from './lib/http-client.js';
import { integer } from './lib/markdown.js';
import { cpuMs, machineCpuMs } from './lib/processes.js';
import { max, median, min, nsToMs, rotate, summarize } from './lib/stats.js';
import { safeSize } from './gateway-targets.js';

/**
 * Checks that a target answers correctly: the completion comes back, the upstream saw model
 * gpt-4o-mini and a provider key, a stream has 20 content frames, one usage frame and [DONE].
 */
export async function sanityCheck(target, upstreamPort, portkeyLog) {
  const plain = [];
  const answer = await timedRequest(target, { keepBody: true });
  let parsed;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    // reported below
  }
  if (answer.status !== 200) plain.push(`status ${answer.status}: ${answer.body?.slice(0, 300)}`);
  else if (parsed?.choices?.[0]?.message?.content !== 'Hello from the fake upstream.') plain.push(`unexpected completion: ${answer.body.slice(0, 300)}`);
  const seen = JSON.parse((await get(upstreamPort, '/__stats')).body).last;
  if (seen.model !== 'gpt-4o-mini') plain.push(`the upstream saw model ${JSON.stringify(seen.model)}, not "gpt-4o-mini"`);
  if (!seen.authorization?.startsWith('Bearer sk')) plain.push('the upstream saw no provider key');
  const upstreamSaw = { framing: seen.framing, bodyChunks: seen.bodyChunks, headerNames: seen.headerNames };

  const stream = [];
  const logBefore = portkeyLog ? safeSize(portkeyLog) ?? 0 : 0;
  const streamed = await timedStream(target);
  if (streamed.status !== 200) {
    stream.push(`status ${streamed.status}: ${streamed.rest.trim().slice(0, 200)}`);
    // Portkey answers a bare "Something went wrong": its log says what it was.
    if (target.name === 'portkey' && portkeyLog) {
      await delay(200);
      const cause = readFileSync(portkeyLog, 'utf8').slice(logBefore).match(/^.*(?:error|Error).*$/m);
      if (cause) stream.push(`its log: ${cause[0].trim().slice(0, 200)}`);
    }
  } else {
    if (streamed.contentFrames !== 20) stream.push(`${streamed.contentFrames} content frames, not 20`);
    if (!streamed.sawDone) stream.push('the stream did not end with [DONE]');
    if (streamed.usageFrames !== 1) stream.push(`${streamed.usageFrames} usage frames, not 1`);
    if (streamed.errorFrame) stream.push(`error frame: ${streamed.errorFrame}`);
  }
  return {
    plain: { ok: plain.length === 0, problems: plain, upstreamSaw },
    stream: { ok: stream.length === 0, problems: stream, frames: streamed.frames, contentType: streamed.contentType },
  };
}

/** Latency at concurrency 1, non-streamed: warm-up, then interleaved rounds. */
export async function measureLatency(targets, plan, log) {
  log(`latency c1: warm-up ${plan.latencyWarmup} requests per target, then ${plan.latencyRounds} rounds x ${plan.latencyPerRound}`);
  for (const target of targets) await sequential(target, plan.latencyWarmup);
  const rounds = [];
  for (let round = 0; round < plan.latencyRounds; round++) {
    const entry = {};
    for (const target of rotate(targets, round)) {
      const samples = await sequential(target, plan.latencyPerRound);
      entry[target.name] = { ...summarize(samples.ms), overheadHeaderP50: samples.overheadHeader.length ? median(samples.overheadHeader) : undefined };
    }
    rounds.push(entry);
  }
  const out = aggregateRounds(rounds, targets, ['p50', 'p99']);
  out.overheadHeaderP50 = targets.some((target) => target.name === 'lodestar') ? median(rounds.map((round) => round.lodestar.overheadHeaderP50)) : undefined;
  return out;
}

/** Time to the first streamed content chunk (and to [DONE]): warm-up, then interleaved rounds. */
export async function measureStreams(targets, plan, log) {
  log(`first streamed chunk: warm-up ${plan.streamWarmup} per target, then ${plan.streamRounds} rounds x ${plan.streamPerRound}`);
  for (const target of targets) await streams(target, plan.streamWarmup);
  const rounds = [];
  for (let round = 0; round < plan.streamRounds; round++) {
    const entry = {};
    for (const target of rotate(targets, round)) {
      const samples = await streams(target, plan.streamPerRound);
      const first = summarize(samples.first);
      const total = summarize(samples.total);
      entry[target.name] = { first, total, p50: first.p50, p99: first.p99, totalP50: total.p50 };
    }
    rounds.push(entry);
  }
  return aggregateRounds(rounds, targets, ['p50', 'p99', 'totalP50']);
}

/**
 * Throughput at each concurrency (autocannon, in this process), targets interleaved, with the
 * CPU time of each gateway, of the upstream and of the load generator itself over each run, and
 * the RSS of every process sampled by `sampler` (a window per run).
 */
export async function measureThroughput(targets, pids, plan, sampler, log) {
  log(`throughput: ${plan.loadSeconds} s per target and concurrency, ${plan.loadRounds} interleaved rounds, concurrency ${plan.concurrencies.join(' and ')}`);
  for (const target of targets) {
    sampler.start(`warm-up ${target.name}`);
    await load(target, plan.concurrencies[0], plan.loadWarmupSeconds);
  }
  sampler.stop();
  const runs = [];
  for (let round = 0; round < plan.loadRounds; round++) {
    for (const [index, connections] of plan.concurrencies.entries()) {
      for (const target of rotate(targets, round * plan.concurrencies.length + index)) {
        const gatewayPid = pids[target.name];
        const before = { gateway: gatewayPid ? cpuMs(gatewayPid) : undefined, upstream: cpuMs(pids.upstream), client: process.cpuUsage() };
        sampler.start(`${target.name} c${connections} round ${round + 1}`);
        const run = await load(target, connections, plan.loadSeconds);
        sampler.stop();
        const client = process.cpuUsage(before.client);
        run.round = round;
        run.windowMax = sampler.windows.at(-1).max;
        run.gatewayCpuMs = gatewayPid ? cpuMs(gatewayPid) - before.gateway : undefined;
        run.upstreamCpuMs = cpuMs(pids.upstream) - before.upstream;
        run.clientCpuMs = (client.user + client.system) / 1000;
        runs.push(run);
        log(
          `  round ${round + 1} c${connections} ${target.name.padEnd(8)} ${integer(run.okPerSecond).padStart(7)} ok req/s` +
            `${run.gatewayCpuMs === undefined ? '' : `  ${integer((run.gatewayCpuMs * 1000) / run.completed).padStart(4)} µs CPU/req`}` +
            `${run.non2xx || run.errors ? `  non-2xx ${run.non2xx} errors ${run.errors} timeouts ${run.timeouts}` : ''}`,
        );
        await delay(300);
      }
    }
  }
  return aggregateLoad(runs, targets, plan.concurrencies);
}

async function sequential(target, count) {
  const ms = new Float64Array(count);
  const overheadHeader = [];
  for (let index = 0; index < count; index++) {
    const response = await timedRequest(target);
    if (response.status !== 200) throw new Error(`${target.name} answered ${response.status} during the latency run`);
    ms[index] = nsToMs(response.ns);
    const header = response.headers['x-lodestar-overhead-ms'];
    if (header !== undefined) overheadHeader.push(Number(header));
  }
  return { ms, overheadHeader };
}

async function streams(target, count) {
  const first = new Float64Array(count);
  const total = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const response = await timedStream(target);
    if (response.status !== 200 || response.firstContentNs === undefined || !response.sawDone) {
      throw new Error(`${target.name} streamed badly: status ${response.status}, content frames ${response.contentFrames}, [DONE] ${response.sawDone}${response.errorFrame ? `, error ${response.errorFrame}` : ''}`);
    }
    first[index] = nsToMs(response.firstContentNs);
    total[index] = nsToMs(response.totalNs);
  }
  return { first, total };
}

export async function load(target, connections, seconds) {
  const outcome = await autocannon({
    ...target.loadRequest(),
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    renderProgressBar: false,
    renderResultsTable: false,
    renderLatencyTable: false,
  });
  const ok = outcome['2xx'];
  return {
    target: target.name,
    connections,
    seconds: outcome.duration,
    ok,
    completed: outcome.requests.total,
    okPerSecond: ok / outcome.duration,
    non2xx: outcome.non2xx,
    errors: outcome.errors,
    timeouts: outcome.timeouts,
    resets: outcome.resets,
    statusCodes: Object.fromEntries(Object.entries(outcome.statusCodeStats ?? {}).map(([code, value]) => [code, value.count])),
    latencyP50: outcome.latency.p50,
    latencyP99: outcome.latency.p99,
  };
}

/** Diagnostic runs: the daemon's child-guard collects garbage and records what is live. */
export async function liveHeap(pid) {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return;
  }
  await delay(500);
}

/**
 * Per-round values -> median (min, max) across rounds, plus, per round and then the median
 * across rounds: `added` = target minus direct, `aboveFloor` = target minus the bare proxy.
 */
export function aggregateRounds(rounds, targets, fields) {
  const out = { rounds: rounds.length, perTarget: {}, added: {}, aboveFloor: {}, raw: rounds };
  const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });
  const names = targets.map((target) => target.name);
  for (const name of names) {
    out.perTarget[name] = Object.fromEntries(fields.map((field) => [field, spread(rounds.map((round) => round[name][field]))]));
    for (const [key, baseline] of [['added', 'direct'], ['aboveFloor', 'floor']]) {
      if (name === 'direct' || name === baseline || !names.includes(baseline)) continue;
      out[key][name] = Object.fromEntries(fields.map((field) => [field, spread(rounds.map((round) => round[name][field] - round[baseline][field]))]));
    }
  }
  return out;
}

function aggregateLoad(runs, targets, concurrencies) {
  const out = {};
  const sum = (list, key) => list.reduce((total, run) => total + run[key], 0);
  for (const connections of concurrencies) {
    out[connections] = {};
    for (const target of targets) {
      const mine = runs.filter((run) => run.target === target.name && run.connections === connections);
      const seconds = sum(mine, 'seconds');
      const ok = sum(mine, 'ok');
      const completed = sum(mine, 'completed');
      const perRequest = (ms) => (ms === undefined || !completed ? undefined : (ms * 1000) / completed);
      out[connections][target.name] = {
        okPerSecond: ok / seconds,
        perRound: mine.map((run) => run.okPerSecond),
        ok,
        completed,
        non2xx: sum(mine, 'non2xx'),
        errors: sum(mine, 'errors'),
        timeouts: sum(mine, 'timeouts'),
        statusCodes: mine.map((run) => run.statusCodes),
        latencyP50: median(mine.map((run) => run.latencyP50)),
        latencyP99: median(mine.map((run) => run.latencyP99)),
        gatewayCpuUsPerRequest: perRequest(mine.every((run) => run.gatewayCpuMs !== undefined) ? sum(mine, 'gatewayCpuMs') : undefined),
        upstreamCpuUsPerRequest: perRequest(sum(mine, 'upstreamCpuMs')),
        clientCpuUsPerRequest: perRequest(sum(mine, 'clientCpuMs')),
      };
    }
  }
  return out;
}

/**
 * How much CPU went to processes that are not part of this benchmark while it ran (other work on
 * this shared machine), and how much the hypervisor took away (steal).
 */
export function backgroundLoad(machineAtStart, benchCpuAtStart, pids, elapsedMs, cores) {
  const now = machineCpuMs();
  if (!machineAtStart || !now) return undefined;
  const bench = process.cpuUsage(benchCpuAtStart);
  const ours = (bench.user + bench.system) / 1000 + Object.values(pids).reduce((total, pid) => total + (cpuMs(pid) ?? 0), 0);
  // Interrupt time included: part of it is charged to our processes' system time, part not.
  const busy = now.busy + now.interrupts - (machineAtStart.busy + machineAtStart.interrupts);
  const capacity = elapsedMs * cores;
  return {
    seconds: elapsedMs / 1000,
    machineBusyCoreSeconds: busy / 1000,
    benchCoreSeconds: (bench.user + bench.system) / 1e6,
    processCoreSeconds: Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, (cpuMs(pid) ?? 0) / 1000])),
    oursCoreSeconds: ours / 1000,
    otherCoreSeconds: Math.max(0, busy - ours) / 1000,
    otherShare: Math.max(0, busy - ours) / capacity,
    stealShare: (now.steal - machineAtStart.steal) / capacity,
  };
}

/** Per process: idle RSS, peak under load, peak of the first and last load rounds, idle after. */
export function memorySummary(memory, pids, loadRounds) {
  const out = {};
  const loadWindows = memory.windows.filter((window) => !window.label.startsWith('warm-up'));
  for (const name of Object.keys(pids)) {
    const roundPeak = (round) => max(loadWindows.filter((window) => window.label.endsWith(`round ${round}`)).map((window) => window.max[name]));
    const firstRound = roundPeak(1);
    const lastRound = roundPeak(loadRounds);
    out[name] = {
      idle: memory.idle[name],
      peakUnderLoad: max(memory.windows.map((window) => window.max[name])),
      afterLoad: memory.afterLoad[name],
      firstRoundPeak: firstRound,
      lastRoundPeak: lastRound,
      growthLastVsFirstRound: loadRounds > 1 ? lastRound - firstRound : undefined,
    };
  }
  return out;
}
