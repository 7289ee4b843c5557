// The team-server benchmark's timed runs against live servers: latency at concurrency 1 (the
// daemon and a team server side by side, interleaved), throughput of one instance and of two
// (with each process's CPU per request and the ledger's backlog sampled), and the CPU profile of
// an instance under the same load.
import { cpus } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { load, measureLatency } from './gateway-measure.js';
import { chatBody } from './lib/http-client.js';
import { integer } from './lib/markdown.js';
import { cpuMs, machineCpuMs, treeCpuMs } from './lib/processes.js';
import { max, median, min, rotate } from './lib/stats.js';
import { pendingEvents } from './server-stack.js';

const CORES = cpus().length;

/**
 * Latency at concurrency 1 of direct, the daemon and the team server's users (gateway-measure.js's
 * measureLatency: warm-up, interleaved rounds, per-round p50 and p99), plus, per round, each team
 * target minus the daemon: what team mode adds (`team`: every check; the others: parts of them).
 */
export async function measureTeamLatency(targets, pids, plan, log) {
  const before = cpuSnapshot(pids);
  const latency = await measureLatency(targets, plan, log);
  latency.cpu = cpuSince(before, pids);
  const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });
  const overDaemon = (name) => ({
    p50: spread(latency.raw.map((round) => round[name].p50 - round.daemon.p50)),
    p99: spread(latency.raw.map((round) => round[name].p99 - round.daemon.p99)),
  });
  const teams = targets.map((target) => target.name).filter((name) => name.startsWith('team'));
  // Per round, each team server's user minus the daemon: what team mode adds, whole (`team`) and in parts.
  latency.overDaemon = Object.fromEntries(teams.map((name) => [name, overDaemon(name)]));
  latency.teamOverDaemon = latency.overDaemon.team;
  // In the same server process, the bench user against one with no quotas: the quota path's own cost.
  if (teams.includes('teamOpen')) latency.quotaPath = { p50: spread(latency.raw.map((round) => round.team.p50 - round.teamOpen.p50)) };
  // Each one's own account of its time (x-lodestar-overhead-ms: arrival to the upstream call, and its answer's way back), median of per-round p50.
  latency.overheadHeader = Object.fromEntries(['daemon', ...teams].map((name) => [name, median(latency.raw.map((round) => round[name].overheadHeaderP50))]));
  latency.overheadHeader.teamOverDaemon = median(latency.raw.map((round) => round.team.overheadHeaderP50 - round.daemon.overheadHeaderP50));
  return latency;
}

/**
 * What autocannon sends to a team server: the bench's request, from each of `users` in turn (a
 * connection cycles through them), so that the load is a team's and not one user's.
 */
export function teamLoad(server, users) {
  const body = Buffer.from(JSON.stringify(chatBody('openai/gpt-4o-mini', false)));
  return {
    name: `server ${server.name}`,
    loadRequest: () => ({
      url: server.url,
      requests: users.map((user) => ({
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${user.key}` },
        body,
      })),
    }),
  };
}

/**
 * Throughput of the daemon (for reference), one team server, and two team servers sharing the
 * load (half the connections each), interleaved, at each concurrency. Per run: ok req/s, CPU of
 * each process (the servers, PostgreSQL with all its backends, Redis, the fake upstream, the
 * daemon, this process as the load generator) and of the whole machine, and the servers' ledger
 * backlog (their /metrics, every 500 ms).
 */
export async function measureThroughput({ daemon, servers, users, pids, plan, log }) {
  const [first, second] = servers;
  const kinds = [
    { name: 'daemon', parts: [{ target: daemon, share: 1 }], servers: [] },
    { name: 'one', parts: [{ target: teamLoad(first, users), share: 1 }], servers: [first] },
    { name: 'two', parts: [{ target: teamLoad(first, users), share: 0.5 }, { target: teamLoad(second, users), share: 0.5 }], servers: [first, second] },
  ];
  log(`throughput: ${plan.loadSeconds} s per run, ${plan.loadRounds} interleaved rounds, concurrency ${plan.concurrencies.join(' and ')}: the daemon, one team server, two team servers`);
  for (const kind of kinds) await runKind(kind, plan.concurrencies[0], plan.loadWarmupSeconds);
  const runs = [];
  for (let round = 0; round < plan.loadRounds; round++) {
    for (const [index, connections] of plan.concurrencies.entries()) {
      for (const kind of rotate(kinds, round * plan.concurrencies.length + index)) {
        const before = cpuSnapshot(pids);
        const backlog = sampleBacklog(kind.servers);
        const run = await runKind(kind, connections, plan.loadSeconds);
        run.maxPending = await backlog.stop();
        run.cpu = cpuSince(before, pids);
        run.round = round;
        runs.push(run);
        const serverCpu = kind.servers.reduce((sum, server) => sum + run.cpu.ms[server.name], 0);
        log(
          `  round ${round + 1} c${connections} ${kind.name.padEnd(6)} ${integer(run.okPerSecond).padStart(6)} ok req/s` +
            `  machine ${integer(run.cpu.machineBusyShare * 100)}% busy` +
            (kind.servers.length ? `  server CPU ${integer((serverCpu * 1000) / run.completed)} µs/req, ledger backlog at most ${run.maxPending}` : '') +
            (run.non2xx || run.errors ? `  non-2xx ${run.non2xx} errors ${run.errors}` : ''),
        );
        await delay(300);
      }
    }
  }
  return summarizeRuns(runs, kinds, plan.concurrencies);
}

/** One run of a kind: its parts at the same time, each with its share of the connections; summed. */
async function runKind(kind, connections, seconds) {
  const outcomes = await Promise.all(kind.parts.map((part) => load(part.target, Math.max(1, Math.round(connections * part.share)), seconds)));
  const sum = (key) => outcomes.reduce((total, outcome) => total + outcome[key], 0);
  const duration = Math.max(...outcomes.map((outcome) => outcome.seconds));
  return {
    kind: kind.name,
    connections,
    seconds: duration,
    ok: sum('ok'),
    completed: sum('completed'),
    okPerSecond: sum('ok') / duration,
    non2xx: sum('non2xx'),
    errors: sum('errors'),
    timeouts: sum('timeouts'),
    statusCodes: outcomes.map((outcome) => outcome.statusCodes),
    latencyP50: max(outcomes.map((outcome) => outcome.latencyP50)),
    latencyP99: max(outcomes.map((outcome) => outcome.latencyP99)),
  };
}

/** The servers' ledger backlog, polled until stop(), which resolves to the most seen. */
function sampleBacklog(servers) {
  let most = 0;
  let running = servers.length > 0;
  const loop = (async () => {
    while (running) {
      const values = await Promise.all(servers.map((server) => pendingEvents(server)));
      for (const value of values) if (value !== undefined) most = Math.max(most, value);
      await delay(500);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return servers.length ? most : undefined;
    },
  };
}

/**
 * CPU so far of each process of `pids` (name -> pid; `postgres` counted with all its children)
 * and of this process, the load generator, and of the whole machine.
 */
export function cpuSnapshot(pids) {
  const ms = {};
  for (const [name, pid] of Object.entries(pids)) ms[name] = name === 'postgres' ? treeCpuMs(pid) : cpuMs(pid);
  const client = process.cpuUsage();
  return { ms, client: (client.user + client.system) / 1000, machine: machineCpuMs(), at: performance.now() };
}

export function cpuSince(before, pids) {
  const now = cpuSnapshot(pids);
  const ms = {};
  for (const name of Object.keys(pids)) ms[name] = (now.ms[name] ?? 0) - (before.ms[name] ?? 0);
  ms.client = now.client - before.client;
  const elapsed = now.at - before.at;
  const busy = now.machine && before.machine ? now.machine.busy + now.machine.interrupts - before.machine.busy - before.machine.interrupts : undefined;
  const ours = Object.values(ms).reduce((sum, value) => sum + value, 0);
  return {
    ms,
    elapsedMs: elapsed,
    machineBusyShare: busy === undefined ? undefined : busy / (elapsed * CORES),
    // Busy time not charged to the processes above: other work on this shared machine, and interrupts.
    otherMs: busy === undefined ? undefined : Math.max(0, busy - ours),
    // Of it, interrupt handling (hardware and soft: loopback networking is partly charged here, not to a process).
    interruptMs: now.machine && before.machine ? now.machine.interrupts - before.machine.interrupts : undefined,
    stealShare: now.machine && before.machine ? (now.machine.steal - before.machine.steal) / (elapsed * CORES) : undefined,
  };
}

/** Per kind and concurrency: ok req/s over all rounds, CPU µs per completed request by process. */
function summarizeRuns(runs, kinds, concurrencies) {
  const out = {};
  for (const connections of concurrencies) {
    out[connections] = {};
    for (const kind of kinds) {
      const mine = runs.filter((run) => run.kind === kind.name && run.connections === connections);
      const sum = (pick) => mine.reduce((total, run) => total + pick(run), 0);
      const seconds = sum((run) => run.seconds);
      const completed = sum((run) => run.completed);
      const names = Object.keys(mine[0].cpu.ms);
      const perRequest = Object.fromEntries(names.map((name) => [name, (sum((run) => run.cpu.ms[name]) * 1000) / completed]));
      out[connections][kind.name] = {
        okPerSecond: sum((run) => run.ok) / seconds,
        perRound: mine.map((run) => run.okPerSecond),
        ok: sum((run) => run.ok),
        completed,
        non2xx: sum((run) => run.non2xx),
        errors: sum((run) => run.errors),
        timeouts: sum((run) => run.timeouts),
        latencyP50: median(mine.map((run) => run.latencyP50)),
        latencyP99: median(mine.map((run) => run.latencyP99)),
        cpuUsPerRequest: perRequest,
        otherUsPerRequest: (sum((run) => run.cpu.otherMs ?? 0) * 1000) / completed,
        interruptUsPerRequest: (sum((run) => run.cpu.interruptMs ?? 0) * 1000) / completed,
        machineBusyShare: median(mine.map((run) => run.cpu.machineBusyShare)),
        stealShare: median(mine.map((run) => run.cpu.stealShare ?? 0)),
        maxPending: kind.servers.length ? max(mine.map((run) => run.maxPending ?? 0)) : undefined,
        servers: kind.servers.map((server) => server.name),
      };
    }
  }
  return out;
}
