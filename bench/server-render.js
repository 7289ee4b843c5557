// The team-server benchmark's results as terminal text and as its BENCHMARKS.md section. Every
// number comes from the run's `result`; nothing is written by hand.
import { fixed, integer, signed, table, textTable, verdict } from './lib/markdown.js';
import { FLAT } from './server-soak.js';
import { BUDGETS, RATE_LIMITS } from './server-stack.js';

const TITLE = 'Team mode: lodestar server on PostgreSQL and Redis (issue 21)';
const when = (result) => `${result.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
const percent = (value, digits = 1) => (Number.isFinite(value) ? `${fixed(value * 100, digits)}%` : 'n/a');
const us = (ms) => integer(ms * 1000);
const KIND_LABEL = { daemon: 'daemon (lodestar start)', one: 'one team server', two: 'two team servers' };
const right = (count) => ['left', ...Array(count).fill('right')];

const LATENCY_LABELS = {
  direct: 'direct (fake upstream)',
  daemon: 'local daemon',
  teamOpen: 'team server, a user with no quotas (key check and ledger only)',
  teamRates: 'team server, a user with rpm/tpm only',
  teamBudgets: 'team server, a user with hard budgets only',
  team: 'team server, rpm/tpm and hard budgets (the target)',
};

function latencyRows(result) {
  const { perTarget, added, overheadHeader, overDaemon } = result.latency;
  return Object.keys(LATENCY_LABELS)
    .filter((name) => perTarget[name])
    .map((name) => [
      LATENCY_LABELS[name],
      fixed(perTarget[name].p50.median),
      fixed(perTarget[name].p99.median),
      name === 'direct' ? '-' : signed(added[name].p50.median),
      overDaemon[name] ? `${signed(overDaemon[name].p50.median)} (${signed(overDaemon[name].p50.min)} .. ${signed(overDaemon[name].p50.max)})` : '-',
      overheadHeader[name] === undefined ? '-' : fixed(overheadHeader[name]),
    ]);
}
const LATENCY_HEADERS = ['target', 'p50 ms', 'p99 ms', 'p50 over direct', 'p50 over the daemon (range over rounds)', 'own time p50 (x-lodestar-overhead-ms)'];

function piecesRows(result) {
  const pieces = result.pieces;
  const row = (name, what, where) => [name, what, where, us(pieces[name].p50), us(pieces[name].p99)];
  return [
    row('ping', 'a Redis round trip (PING), for scale', '-'),
    row('rate', 'rpm/tpm check: the sliding-window Lua script', 'on the path'),
    row('reserve', 'budget reservation: one Lua script over 3 hard budgets', 'on the path'),
    row('settle', 'settle at the real cost (Lua)', 'after the answer'),
    row('append', "ledger append: the event's line to the spool (one write(2))", 'before the last byte'),
  ];
}
const PIECES_HEADERS = ['piece', 'what', 'when', 'p50 µs', 'p99 µs'];

function onPathMs(result) {
  const pieces = result.pieces;
  return pieces.rate.p50 + pieces.reserve.p50 + pieces.append.p50;
}

const PROCESSES = [
  ['servers', 'server(s)'],
  ['postgres', 'PostgreSQL'],
  ['redis', 'Redis'],
  ['upstream', 'upstream'],
  ['client', 'load generator'],
];

function cpuParts(cell, kind) {
  const cpu = cell.cpuUsPerRequest;
  const servers = kind === 'daemon' ? cpu.daemon : cell.servers.reduce((sum, name) => sum + cpu[name], 0);
  const parts = { servers, postgres: cpu.postgres, redis: cpu.redis, upstream: cpu.upstream, client: cpu.client };
  return { ...parts, total: Object.values(parts).reduce((sum, value) => sum + value, 0) };
}

function throughputRows(result) {
  const rows = [];
  const cores = result.machine.cpus;
  for (const [c, byKind] of Object.entries(result.throughput)) {
    for (const [kind, cell] of Object.entries(byKind)) {
      const parts = cpuParts(cell, kind);
      rows.push([
        `c${c}`,
        KIND_LABEL[kind],
        integer(cell.okPerSecond),
        cell.perRound.map((value) => integer(value)).join(' / '),
        `${fixed(cell.latencyP50, 0)} / ${fixed(cell.latencyP99, 0)}`,
        ...PROCESSES.map(([name]) => integer(parts[name])),
        integer(parts.total),
        integer((cores * 1e6) / parts.total),
        integer(cell.otherUsPerRequest),
        percent(cell.machineBusyShare, 0),
        cell.maxPending === undefined ? '-' : integer(cell.maxPending),
      ]);
    }
  }
  return rows;
}
const THROUGHPUT_HEADERS = ['conc.', 'target', 'ok req/s', 'per round', 'latency p50 / p99 ms', ...PROCESSES.map(([, label]) => `${label} µs/req`), 'total µs/req', '2 cores allow (req/s)', 'other work µs/req', 'machine busy', 'ledger backlog, most'];

function profileRows(result, what, count = 14) {
  const profile = result.profile;
  const busy = profile[what].filter((entry) => entry.name !== 'idle');
  const busyMs = busy.reduce((sum, entry) => sum + entry.ms, 0);
  return busy.slice(0, count).map((entry) => [entry.name, percent(entry.ms / busyMs)]);
}

/** The profile's busy share of team mode's own work: the server's modules and the Redis and PostgreSQL clients, with what they asked of Node. */
function teamShare(result) {
  const busy = result.profile.owners.filter((entry) => entry.name !== 'idle');
  const busyMs = busy.reduce((sum, entry) => sum + entry.ms, 0);
  const share = (test) => busy.filter((entry) => test(entry.name)).reduce((sum, entry) => sum + entry.ms, 0) / busyMs;
  return {
    server: share((name) => name.startsWith('lodestar server/')),
    redis: share((name) => name === 'npm @redis'),
    pg: share((name) => /^npm pg(-|$)/.test(name)),
  };
}

function ledgerRows(result) {
  const row = (label, run) => [
    label,
    integer(run.offeredPerSecond),
    integer(run.writtenPerSecond),
    integer(run.writtenPerSecondSecondHalf),
    integer(run.maxPending),
    integer(run.flushMs),
    integer(run.spilledSegments),
    fixed(run.benchCpuUsPerEvent, 1),
    fixed(run.postgresCpuUsPerEvent, 1),
  ];
  return [row(`paced, ${fixed(result.ledger.paced.seconds, 0)} s`, result.ledger.paced), row(`overload (${result.plan.ledgerOverloadFactor}x), ${fixed(result.ledger.overload.seconds, 0)} s`, result.ledger.overload)];
}
const LEDGER_HEADERS = ['run', 'offered events/s', 'written events/s', 'written/s, 2nd half', 'pending, most', 'last in PostgreSQL after the appends stopped (ms)', 'segments spilled to disk only', 'writer CPU µs/event', 'PostgreSQL CPU µs/event'];

/** The soak's samples at each whole minute (the nearest one), and the last. */
function soakRows(result) {
  const samples = result.soak.samples;
  const picked = [];
  for (let minute = 0; minute * 60 <= samples.at(-1).at + 1; minute++) {
    const nearest = samples.reduce((best, entry) => (Math.abs(entry.at - minute * 60) < Math.abs(best.at - minute * 60) ? entry : best));
    if (Math.abs(nearest.at - minute * 60) <= result.plan.soakSampleSeconds && !picked.includes(nearest)) picked.push(nearest);
  }
  // The last sample, taken as the load ends, stands for the last minute when it is that close to it.
  const last = samples.at(-1);
  if (picked.at(-1) !== last) {
    if (last.at - picked.at(-1).at < result.plan.soakSampleSeconds / 2) picked[picked.length - 1] = last;
    else picked.push(last);
  }
  return picked;
}

function verdictRows(result) {
  const show = {
    latency: (value) => `${fixed(value)} ms`,
    throughput: (value) => `${fixed(value, 2)}x one instance`,
    ledger: (value) => `${integer(value)} events/s sustained`,
    report: (value) => `${fixed(value)} s`,
    soak: (value) => `${signed(value.growth, 1)} MiB, ${signed(value.slope, 2)} MiB a minute`,
  };
  return result.verdicts.map((entry) => [entry.target, entry.goal, show[entry.id](entry.measured), entry.met === undefined ? (entry.id === 'throughput' ? 'measured, explained above' : 'not judged (a shorter run)') : verdict(entry.met)]);
}

/** The run's own explanation of what bounds throughput here, from its CPU numbers. */
function throughputExplained(result) {
  const c = Object.keys(result.throughput)[0];
  const cell = result.throughput[c];
  const cores = result.machine.cpus;
  const one = cpuParts(cell.one, 'one');
  const two = cpuParts(cell.two, 'two');
  const daemon = cpuParts(cell.daemon, 'daemon');
  const oneServer = cell.one.cpuUsPerRequest[cell.one.servers[0]];
  // Cores in use during the runs: CPU a request times requests a second (completed ~ ok here).
  const coresOf = (usPerRequest, perSecond) => (usPerRequest * perSecond) / 1e6;
  const busy = (kind) => fixed(cell[kind].machineBusyShare * cores, 2);
  return (
    `At c${c}, one team server used **${integer(oneServer)} µs of CPU a request** in its own process, against ${integer(daemon.servers)} µs for the daemon. ` +
    `A Node process runs its JavaScript on one thread, so one instance can use one core at most: at that cost, ~${integer(1e6 / oneServer)} requests a second. ` +
    `Around it, every request also cost PostgreSQL ${integer(one.postgres)} µs, Redis ${integer(one.redis)} µs (four Lua scripts a request: rate check, reservation, settle, token correction), the fake upstream ${integer(one.upstream)} µs and the load generator ${integer(one.client)} µs: ${integer(one.total)} µs in all, which ${cores} cores could give ~${integer((cores * 1e6) / one.total)} times a second. ` +
    `It served ${integer(cell.one.okPerSecond)} a second, its process using ${fixed(coresOf(oneServer, cell.one.okPerSecond), 2)} of a core and the machine ${busy('one')} of its ${cores} (other work ${fixed(coresOf(cell.one.otherUsPerRequest, cell.one.okPerSecond), 2)} of them). ` +
    `Two instances split the server's work over two processes (${cell.two.servers.map((name) => `${integer(cell.two.cpuUsPerRequest[name])} µs`).join(' + ')} a request), so they can use both cores: ${integer(two.total)} µs a request in all, ~${integer((cores * 1e6) / two.total)} a second on ${cores} cores; ` +
    `they served ${integer(cell.two.okPerSecond)}, the machine ${busy('two')} of its ${cores} cores busy (other work ${fixed(coresOf(cell.two.otherUsPerRequest, cell.two.okPerSecond), 2)}). ` +
    `Two instances against one: ${Object.entries(result.throughput).map(([concurrency, byKind]) => `c${concurrency} ${fixed(byKind.two.okPerSecond / byKind.one.okPerSecond, 2)}x (${integer(byKind.two.okPerSecond)} ok requests a second against ${integer(byKind.one.okPerSecond)})`).join(', ')}. ` +
    `What bounds them: ` +
    (coresOf(oneServer, cell.one.okPerSecond) >= 0.8
      ? `one instance, its own thread (its process busy ${fixed(coresOf(oneServer, cell.one.okPerSecond), 2)} of a core, near all one thread gets, while the machine still had ${fixed((1 - cell.one.machineBusyShare) * cores, 2)} of a core idle); `
      : `one instance, not its own thread alone (its process was busy ${fixed(coresOf(oneServer, cell.one.okPerSecond), 2)} of a core) but each request's waits on Redis and the upstream at this concurrency, on a machine ${percent(cell.one.machineBusyShare, 0)} busy; `) +
    (cell.two.machineBusyShare >= 0.85
      ? `two instances, the machine's CPU: its ${cores} cores, shared by the load generator, the fake upstream, PostgreSQL, Redis, both servers and any other work, were ${percent(cell.two.machineBusyShare, 0)} busy, so a second instance mostly takes CPU from the processes the first one needs. `
      : `two instances, not the machine's CPU alone (${percent(cell.two.machineBusyShare, 0)} busy): each request's waits on Redis and the upstream count too at this concurrency. `) +
    `On machines with a core for each instance and the stores elsewhere, instances add up to the stores' limits: here, Redis spent ${integer(one.redis)} µs and PostgreSQL ${integer(one.postgres)} µs a request, so one Redis core would take roughly ${integer(1e6 / one.redis)} requests a second, and the ledger's PostgreSQL (section 3) more than 5,000.`
  );
}

function profileExplained(result) {
  const share = teamShare(result);
  return (
    `What only team mode does came to ${percent(share.server + share.redis + share.pg)} of the profiled instance's busy time: its own modules (src/server: the tenancy, quotas, identity, the ledger writer) ${percent(share.server)}, ` +
    `the Redis client ${percent(share.redis)} and the PostgreSQL client ${percent(share.pg)}, each with the socket writes and parsing it asked of Node. Most of the rest is the daemon's path (reading and checking the request, routing, the upstream call, costing, the answer), which the local daemon pays too.`
  );
}

function latencyExplained(result) {
  const added = result.latency.teamOverDaemon;
  const parts = result.latency.overDaemon;
  const pieces = result.pieces;
  const open = parts.teamOpen?.p50.median;
  const inParts = open === undefined
    ? ''
    : `In parts, the same request from users with less to check, each against the daemon: with no quotas (the key check and the PostgreSQL ledger alone) ${signed(open)} ms, with rpm/tpm alone ${signed(parts.teamRates.p50.median)} ms, with the hard budgets alone ${signed(parts.teamBudgets.p50.median)} ms, with both ${signed(added.p50.median)} ms` +
      (Math.abs(open) < 0.1 ? `: the key check and the ledger cost nothing measurable here, and what team mode adds at concurrency 1 is its quota scripts in Redis. ` : `. `) +
      `Within the one server process, the bench user's p50 minus the no-quota user's, per round: **${signed(result.latency.quotaPath.p50.median)} ms** (${signed(result.latency.quotaPath.p50.min)} to ${signed(result.latency.quotaPath.p50.max)}), what the quota path costs a request. `;
  return (
    `Per round, the team server's p50 minus the daemon's: **${signed(added.p50.median)} ms** (median of ${result.latency.rounds} rounds; ${signed(added.p50.min)} to ${signed(added.p50.max)}), p99 ${signed(added.p99.median)} ms. ` +
    inParts +
    `By their own account (\`x-lodestar-overhead-ms\`, time not spent waiting on the upstream), the team server spent ${signed(result.latency.overheadHeader.teamOverDaemon)} ms more than the daemon a request. ` +
    `What team mode puts on a request's path, each piece timed alone below with the server's own modules: two Lua scripts in Redis, sent at once (the rate check, ${us(pieces.rate.p50)} µs p50, and the reservation over the user's and the team's three hard budgets, ${us(pieces.reserve.p50)} µs), ` +
    `then the ledger append (${us(pieces.append.p50)} µs); ${us(onPathMs(result))} µs together, against ${us(pieces.ping.p50)} µs for a bare PING. ` +
    `The key check is a lookup in the instance's cache (at most 1 s old; PostgreSQL once a second per key), and the settle and the token correction run after the answer, off its path. ` +
    (parts.teamBudgets && parts.teamBudgets.p50.median > pieces.reserve.p50 + 0.05
      ? `In the server they cost more than alone (the budgets ${signed(parts.teamBudgets.p50.median)} ms against a reservation of ${us(pieces.reserve.p50)} µs): after each answer the server sends the settle (and, with rpm/tpm, the token correction), on a Redis connection of their own, and a client that sends its next request at once meets them on the server's event loop and in Redis's one thread. `
      : '') +
    `The two scripts on the path go out together (one round trip on the wire, run one after the other by Redis, on the same two busy cores as everything else; a PING: ${us(pieces.ping.p50)} µs here). Taking Redis off a request's path altogether would mean each instance leasing a slice of a budget and reserving from it in memory.`
  );
}

function ledgerExplained(result) {
  const { paced, overload } = result.ledger;
  const backlog = Object.values(result.throughput).flatMap((byKind) => [byKind.one.maxPending, byKind.two.maxPending]);
  return (
    `Offered ${integer(paced.offeredPerSecond)} events a second, the writer wrote ${integer(paced.writtenPerSecond)} a second over the same ${fixed(paced.seconds, 0)} s (the rest is the batch being filled: a batch goes at 500 events or 150 ms), with at most ${integer(paced.maxPending)} events waiting, and the last ones were in PostgreSQL ${integer(paced.flushMs)} ms after the appends stopped: **it keeps up**. ` +
    `Offered ${result.plan.ledgerOverloadFactor} times as much, more than it can write, it sustained **${integer(overload.writtenPerSecondSecondHalf)} events a second** over the second half of the run (${integer(overload.writtenPerSecond)} over all of it), its backlog growing to ${integer(overload.maxPending)} (past 10,000 held in memory, segments stay on disk only: ${integer(overload.spilledSegments)} of them) and drained ${integer(overload.flushMs)} ms after. ` +
    `Each event cost this process (the writer, as in a server: the spool line, its write, the batch's INSERT) ${fixed(overload.benchCpuUsPerEvent, 1)} µs of CPU and PostgreSQL ${fixed(overload.postgresCpuUsPerEvent, 1)} µs. ` +
    `In the servers under the throughput runs above, the backlog (\`lodestar_ledger_pending_events\` of \`/metrics\`, read every 500 ms) was at most ${integer(Math.max(...backlog))} events, and ${result.drain.pending === 0 ? `it was back to 0 ${integer(result.drain.ms)} ms after the last run` : `${integer(result.drain.pending)} were still pending 30 s after the last run`}.`
  );
}

function monthText(result) {
  const month = result.month;
  const how = {
    api: () => `through the admin API, \`${month.api.path}\` (timed from the request to the end of the ${integer(month.api.bytes)}-byte answer)`,
    module: () => `with the report's own code, \`teamReport()\` of src/server/report (its statements in its read-only transaction, then its sums into rows), called in the bench's process over a pool of its own, because the server answered no report yet (${month.api.why})`,
    sql: () => `with the bench's own report SQL (per user: requests, errors, tokens, cost, baseline cost, unpriced requests; grouped over the month's rows, joined to the users for their emails), because neither the server nor its build had a report yet (${month.api.why})`,
  }[month.used]();
  const timing = month[month.used];
  return (
    `**Data**: ${integer(month.events)} events of ${month.month} inserted by one \`INSERT ... SELECT FROM generate_series\` straight into \`ledger_events\` (${fixed(month.insertSeconds, 1)} s, then \`VACUUM ANALYZE\` ${fixed(month.vacuumSeconds, 1)} s, as autovacuum would have done to a table a month fills): ` +
    `${month.users} users in ${month.teams} teams made through the admin API, the busiest with ${integer(month.busiestUser)} requests and the quietest ${integer(month.quietestUser)}; weekdays from 07:00 to 19:00 UTC (a weekend day gets 15% of a weekday's), in time order as the server writes them; ` +
    `5 models (Claude Sonnet and Haiku, GPT-5 mini, DeepSeek, a local Qwen), 2k-62k tokens in and 50-1,550 out, 2% failures; UUID ids as the server mints them. ` +
    `The table then held ${integer(month.tableRows)} rows in all (the runs above added theirs), ${fixed(month.tableMiB, 0)} MiB with its indexes.\n\n` +
    `**Report**: by user over the month, ${how}: **${fixed(timing.seconds)} s** (median of ${timing.runs.length} runs, after a first one of ${fixed(timing.firstSeconds)} s), ${timing.rows} rows. ` +
    `PostgreSQL's plan for ${month.sqlPlan.statement}: ${month.sqlPlan.top}, ${fixed(month.sqlPlan.executionMs, 0)} ms to execute under EXPLAIN ANALYZE, whose timing of every row slows it` +
    (/Seq Scan on ledger_events/.test(month.sqlPlan.top)
      ? ` (the month is ${percent(month.events / month.tableRows, 0)} of the table's rows here, and PostgreSQL chose to read the table rather than the covering index \`ledger_events_report\`).`
      : '.')
  );
}

function soakText(result) {
  const soak = result.soak;
  const heap = soak.liveHeapMiB;
  return (
    `A fresh instance, ${result.plan.soakWorkers} clients (a user each) on keep-alive connections paced to ~${result.plan.soakPerSecond} requests a second, for ${fixed(soak.seconds / 60, 1)} minutes: ${integer(soak.requests)} requests (${integer(soak.perSecond)} a second), answered ${Object.entries(soak.statuses).map(([status, count]) => `${status}: ${integer(count)}`).join(', ')}. ` +
    `RSS (\`/proc/<pid>/status\` VmRSS of the server's own process) every ${result.plan.soakSampleSeconds} s: idle before the load ${fixed(soak.idleMiB, 1)} MiB; **start ${fixed(soak.startMiB, 1)}, end ${fixed(soak.endMiB, 1)}, max ${fixed(soak.maxMiB, 1)} MiB**; ` +
    `${fixed(soak.atWarmupMiB, 1)} MiB at ${fixed(soak.warmupSeconds, 0)} s (the end of the warm-up: JIT, pools and buffers reaching their size), ${signed(soak.growthAfterWarmupMiB, 1)} MiB from there to the end, at most ${signed(soak.maxAboveWarmupMiB, 1)} MiB above it in between; ` +
    `slope ${signed(soak.slopeAfterWarmupMiBPerMinute, 2)} MiB a minute after the warm-up (least squares; ${signed(soak.slopeMiBPerMinute, 2)} over the whole soak, warm-up included). ` +
    `The live V8 heap after a forced full GC (the bench's child guard, on SIGUSR2): ${fixed(heap.before, 1)} MiB before the load, ${fixed(heap.after, 1)} MiB after it. ` +
    `The soak's users have ${integer(soak.ledger.n)} rows in \`ledger_events\` (${integer(soak.ledger.ids)} distinct ids) for ${integer(soak.answered)} answered requests.`
  );
}

function machineText(result) {
  const m = result.machine;
  const latencyOther = result.latency.cpu;
  const c = Object.keys(result.throughput)[0];
  return (
    `${m.cpus} cores (\`nproc\`: ${m.nproc}), ${m.cpuModel.split(' ').slice(0, 2).join(' ')}, ${fixed(m.memoryGiB, 0)} GiB; ${m.os}; Node ${m.node}; ${result.versions.postgres}; ${result.versions.redis.split(' ').slice(0, 3).join(' ')}; autocannon ${result.versions.autocannon}. ` +
    `This machine is shared with other work and can be noisy: during this run's latency rounds, CPU not charged to the bench's own processes took ${percent((latencyOther.otherMs ?? 0) / (latencyOther.elapsedMs * m.cpus))} of the ${m.cpus} cores; during the throughput runs at c${c}, ${integer(result.throughput[c].one.otherUsPerRequest)} µs a request next to one team server (the "other work" column below)`
  );
}

export function renderText(result) {
  const c = Object.keys(result.throughput)[0];
  return [
    `${TITLE} — ${when(result)}, ${result.machine.cpus} cores, Node ${result.machine.node}${result.quick ? ' (quick)' : ''}`,
    '',
    textTable(LATENCY_HEADERS, latencyRows(result), right(5)),
    `team server minus daemon, per round: p50 ${signed(result.latency.teamOverDaemon.p50.median)} ms (${signed(result.latency.teamOverDaemon.p50.min)} .. ${signed(result.latency.teamOverDaemon.p50.max)}), p99 ${signed(result.latency.teamOverDaemon.p99.median)} ms`,
    '',
    textTable(PIECES_HEADERS, piecesRows(result), ['left', 'left', 'left', 'right', 'right']),
    '',
    textTable(THROUGHPUT_HEADERS, throughputRows(result), ['left', 'left', ...Array(THROUGHPUT_HEADERS.length - 2).fill('right')]),
    `two instances / one at c${c}: ${fixed(result.throughput[c].two.okPerSecond / result.throughput[c].one.okPerSecond, 2)}x; backlog after the load ${result.drain.pending} (${integer(result.drain.ms)} ms)`,
    '',
    result.profile.error ? `CPU profile: ${result.profile.error}` : textTable(['profiled instance: whose code', 'share of busy'], profileRows(result, 'kinds'), right(1)),
    '',
    textTable(LEDGER_HEADERS, ledgerRows(result), ['left', ...Array(LEDGER_HEADERS.length - 1).fill('right')]),
    '',
    `month report over ${integer(result.month.events)} events (${{ api: result.month.api.path, module: 'teamReport() in process', sql: "the bench's SQL" }[result.month.used]}): ${fixed(result.month.seconds)} s median; plan ${result.month.sqlPlan.top}`,
    `soak ${fixed(result.soak.seconds, 0)} s: RSS start ${fixed(result.soak.startMiB, 1)}, end ${fixed(result.soak.endMiB, 1)}, max ${fixed(result.soak.maxMiB, 1)} MiB, end minus warm-up ${signed(result.soak.growthAfterWarmupMiB, 1)} MiB, slope ${signed(result.soak.slopeAfterWarmupMiBPerMinute, 2)} MiB/min; ledger ${result.soak.ledger.n} rows for ${result.soak.answered} answered`,
    '',
    textTable(['target', 'goal', 'measured', 'verdict'], verdictRows(result)),
  ].join('\n');
}

export function renderMarkdown(result) {
  const c = Object.keys(result.throughput)[0];
  const quota = result.quota;
  const profile = result.profile;
  const soak = result.soak;
  const missed = result.verdicts.filter((entry) => entry.met === false);
  return `## ${TITLE}

What a team server adds over the local daemon, what two instances serve against one and what bounds them here, whether the PostgreSQL ledger keeps up, a month's report over a million events, and a server's memory over a long soak. All numbers below come from one run of \`npm run bench -- server\` (bench/server.js).

- **When and where**: ${when(result)}; Lodestar ${result.machine.lodestar}; ${machineText(result)}.
- **Stores**: a private PostgreSQL and redis-server on loopback, started by the same harness as the tests (bench/lib/postgres-server.js, bench/lib/redis-server.js). PostgreSQL runs with its durability as shipped (\`fsync\` ${result.postgresSettings.fsync}, \`synchronous_commit\` ${result.postgresSettings.synchronous_commit}, \`full_page_writes\` ${result.postgresSettings.full_page_writes}; \`shared_buffers\` ${result.postgresSettings.shared_buffers}, its default): each batch of the ledger commits to disk. Redis without persistence.
- **Upstream**: \`bench/fake-upstream.js\` answering a fixed small \`chat.completion\` from memory; the same non-streamed request (\`openai/gpt-4o-mini\`, \`temperature: 0\`) to everyone.
- **Daemon**: \`lodestar start --port 0\` on a fresh \`LODESTAR_HOME\`, response cache off, as the gateway section runs it. **Team servers**: \`lodestar server --listen 127.0.0.1:0 --database URL --redis URL\`, each on its own \`LODESTAR_HOME\` with the response cache off and the same OpenAI key and base URL, all on one database. A team with hard budgets ($${integer(BUDGETS.teamMonthlyUsd)} a month, $${integer(BUDGETS.teamDailyUsd)} a day) and users with a hard monthly budget ($${integer(BUDGETS.userMonthlyUsd)}), rpm ${integer(RATE_LIMITS.rpm)} and tpm ${integer(RATE_LIMITS.tpm)} (checked on every request, never reached): each request has its \`lsk_\` key checked, is admitted by the rate-limit script, reserves its estimate against three hard budgets (the user's month, the team's month and day) in one Lua script, is settled at its real cost and has its tokens corrected after the answer, and its event goes to the spool, then to PostgreSQL in batches. After the latency runs Redis held, for the latency user, $${fixed(quota.user.spentUsd, 6)} spent and $${fixed(quota.user.reservedUsd, 6)} reserved this month (the team: $${fixed(quota.team.spentUsd, 6)}), ${integer(quota.rateWindowEntries)} requests in the last minute's rate window, and PostgreSQL ${integer(quota.ledgerRows)} of their events: every piece ran.

### 1. Latency added by team mode, concurrency 1

The bench's own client, one keep-alive connection per target, one request at a time, timed from writing the request to the end of the answer. Warm-up ${integer(result.plan.latencyWarmup)} requests per target, then ${result.latency.rounds} rounds of ${result.plan.latencyPerRound}, the order rotating from round to round; medians across rounds of each round's p50 and p99.

${table(LATENCY_HEADERS, latencyRows(result), right(5))}

${latencyExplained(result)}

${table(PIECES_HEADERS, piecesRows(result), ['left', 'left', 'left', 'right', 'right'])}

(${integer(result.plan.piecesCount)} calls each after 200 of warm-up, one at a time, from the bench's process with dist/src/server's RedisRateLimits, RedisBudgets and PostgresLedgerWriter against the same Redis and PostgreSQL, under a team id of their own.)

### 2. Throughput: two instances against one

autocannon ${result.versions.autocannon} in the bench's process, non-streamed, ${result.plan.concurrencies.map((value) => `${value}`).join(' and ')} connections, ${result.plan.loadRounds} interleaved round${result.plan.loadRounds === 1 ? '' : 's'} of ${result.plan.loadSeconds} s per target (after a ${result.plan.loadWarmupSeconds} s warm-up each); a team server's load comes from ${result.plan.loadUsers} users in turn, each connection cycling through their keys; "two team servers" is two autocannon runs at once, half the connections each. CPU µs a request: each process's utime+stime (\`/proc/<pid>/stat\`; PostgreSQL with all its backends, and the children it reaped) over the runs, divided by the requests completed; "other work" is the machine's busy time (\`/proc/stat\`) not charged to any of them: others' work on this shared machine, and interrupt handling (${integer(result.throughput[Object.keys(result.throughput)[0]].one.interruptUsPerRequest)} µs a request of it next to one team server at c${Object.keys(result.throughput)[0]}, loopback networking's share that no process is charged).

${table(THROUGHPUT_HEADERS, throughputRows(result), ['left', 'left', ...Array(THROUGHPUT_HEADERS.length - 2).fill('right')])}

${throughputExplained(result)}

${profile.error ? `The CPU profile failed: ${profile.error}.` : `**Where a team server's CPU goes**: a third instance run under \`--cpu-prof\`, loaded as "one team server" at c${profile.connections} for ${profile.seconds} s (${integer(profile.okPerSecond)} req/s under the profiler, ${integer(profile.cpuUsPerRequest)} µs CPU a request), self time over the load alone. The profiler slows it: shares only.

${table(['whose code (self time)', 'share of busy'], profileRows(result, 'kinds', 10), right(1))}

${table(['whose work (self time counted for the nearest Lodestar module or npm package on the stack)', 'share of busy'], profileRows(result, 'owners', 16), right(1))}

${profileExplained(result)}`}

### 3. Ledger writes

The team ledger's writer (\`PostgresLedgerWriter\`, dist/src/server/ledger) alone in the bench's process, with its defaults (batches of 500 events or 150 ms, 10,000 events held in memory), into the same durable PostgreSQL; its events are copies, each with its own id and time, of one the team server recorded for the bench's request. Paced: ${integer(result.plan.ledgerOffered)} events a second offered as 100 every 10 ms would come from a server's answers; overload: ${result.plan.ledgerOverloadFactor} times that.

${table(LEDGER_HEADERS, ledgerRows(result), ['left', ...Array(LEDGER_HEADERS.length - 1).fill('right')])}

${ledgerExplained(result)}

### 4. A month's report by user over ${integer(result.month.events)} events

${monthText(result)}

### 5. Server memory over a ${fixed(soak.seconds / 60, soak.seconds < 120 ? 1 : 0)}-minute soak

${soakText(result)}

${table(['time', ...soakRows(result).map((entry) => `${fixed(entry.at / 60, 1)} min`)], [['RSS (MiB)', ...soakRows(result).map((entry) => fixed(entry.rssMiB, 1))], ['requests so far', ...soakRows(result).map((entry) => integer(entry.requests))]], right(soakRows(result).length))}

### Targets (issue 21)

${table(['target', 'goal', 'measured', 'verdict'], verdictRows(result))}

${missed.length ? `**Not met in this run: ${missed.map((entry) => entry.target.charAt(0).toLowerCase() + entry.target.slice(1)).join('; ')}** (see the sections above for what bounds each).` : 'Every target with a bar was met in this run.'} Flat, for the soak: after the warm-up, RSS ends at most +${FLAT.mib} MiB above where it was (the daemon's soak, issue 12, allows the same) and its least-squares trend rises at most ${FLAT.slopeMiBPerMinute} MiB a minute, since a leak shows as a steady slope while V8's heap saws up and down around a level.

### Caveats

- One shared, noisy 2-core machine: the load generator, the fake upstream, PostgreSQL, Redis and the servers share its cores (and the work of others running on it: "other work" above), so throughput numbers compare targets within this run; they are not capacity. Latency rounds are interleaved and their medians taken to even out slow phases.
- The upstream answers instantly; a real provider takes hundreds of ms, beside which the added time is small. A team server in production has the stores on other machines: a Redis round trip over a network costs more than over loopback, and none of their CPU is the server's.
`;
}
