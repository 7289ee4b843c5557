// The gateway benchmark's results as terminal text and as its BENCHMARKS.md section. Every
// number here comes from the run's `result`; nothing is written by hand.
import { renderProfileText } from './lib/cpuprofile.js';
import { fixed, integer, signed, table, textTable, verdict } from './lib/markdown.js';
import { labels, SHORT } from './gateway-targets.js';

const right = (count) => ['left', ...Array(count).fill('right')];
const names = (result) => ['direct', 'floor', 'lodestar', ...(result.portkey.ok ? ['portkey'] : [])];
const concurrencies = (result) => Object.keys(result.throughput);
const when = (result) => `${result.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
const percent = (value) => (Number.isFinite(value) ? `${fixed(value * 100, 1)}%` : 'n/a');

/** The main table: per target, latency at c1, first chunk, throughput; "added" = minus direct. */
function mainTable(result) {
  const headers = ['target', 'c1 p50 ms', 'added p50', 'c1 p99 ms', 'added p99', '1st chunk p50 ms', 'added 1st chunk', ...concurrencies(result).map((c) => `req/s c${c}`)];
  const label = labels(result);
  const rows = names(result).map((name) => {
    const lat = result.latency.perTarget[name];
    const add = result.latency.added[name];
    const st = result.stream.perTarget[name];
    const stAdd = result.stream.added[name];
    return [
      label[name],
      fixed(lat.p50.median),
      name === 'direct' ? '-' : signed(add.p50.median),
      fixed(lat.p99.median),
      name === 'direct' ? '-' : signed(add.p99.median),
      st ? fixed(st.p50.median) : 'failed [1]',
      name === 'direct' ? '-' : stAdd ? signed(stAdd.p50.median) : 'failed [1]',
      ...concurrencies(result).map((c) => integer(result.throughput[c][name].okPerSecond)),
    ];
  });
  return { headers, rows, align: right(headers.length - 1) };
}

/** Lodestar next to the floor: its cost above direct and above the bare Node proxy. */
function floorTable(result) {
  const headers = ['measure', 'direct', 'floor (bare proxy)', 'Lodestar', 'Lodestar above direct', 'Lodestar above floor', 'floor above direct'];
  const lat = result.latency;
  const st = result.stream;
  const timeRow = (measure, source, field) => [
    measure,
    fixed(source.perTarget.direct[field].median),
    fixed(source.perTarget.floor[field].median),
    fixed(source.perTarget.lodestar[field].median),
    signed(source.added.lodestar[field].median),
    signed(source.aboveFloor.lodestar[field].median),
    signed(source.added.floor[field].median),
  ];
  const rows = [
    timeRow('c1 latency p50 (ms)', lat, 'p50'),
    timeRow('c1 latency p99 (ms)', lat, 'p99'),
    timeRow('first streamed chunk p50 (ms)', st, 'p50'),
    timeRow('whole stream, to [DONE], p50 (ms)', st, 'totalP50'),
  ];
  for (const c of concurrencies(result)) {
    const cell = result.throughput[c];
    const floorCpu = cell.floor.gatewayCpuUsPerRequest;
    const lodestarCpu = cell.lodestar.gatewayCpuUsPerRequest;
    rows.push([`proxy process CPU µs/request, c${c}`, '-', integer(floorCpu), integer(lodestarCpu), `+${integer(lodestarCpu)}`, `+${integer(lodestarCpu - floorCpu)}`, `+${integer(floorCpu)}`]);
  }
  for (const c of concurrencies(result)) {
    const cell = result.throughput[c];
    const share = (name, of) => percent(cell[name].okPerSecond / cell[of].okPerSecond);
    rows.push([`ok req/s, c${c}`, integer(cell.direct.okPerSecond), integer(cell.floor.okPerSecond), integer(cell.lodestar.okPerSecond), `${share('lodestar', 'direct')} of direct`, `${share('lodestar', 'floor')} of floor`, `${share('floor', 'direct')} of direct`]);
  }
  const memory = result.memory.summary;
  for (const [measure, field] of [['RSS idle (MiB)', 'idle'], ['RSS peak under load (MiB)', 'peakUnderLoad']]) {
    rows.push([measure, '-', fixed(memory.floor[field], 1), fixed(memory.lodestar[field], 1), '', signed(memory.lodestar[field] - memory.floor[field], 1), '']);
  }
  return { headers, rows, align: right(headers.length - 1) };
}

const LOAD_HEADERS = ['conc.', 'target', 'ok req/s', 'per round', 'of direct', 'of floor', 'vs Portkey', 'latency p50 / p99 ms', 'non-2xx / errors / timeouts', 'proxy CPU µs/req', 'upstream CPU µs/req', 'load generator CPU µs/req'];
const LOAD_ALIGN = ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'right', 'right', 'right', 'right'];

function loadRows(result) {
  const out = [];
  for (const [c, byTarget] of Object.entries(result.throughput)) {
    for (const [name, cell] of Object.entries(byTarget)) {
      out.push([
        `c${c}`,
        SHORT[name],
        integer(cell.okPerSecond),
        cell.perRound.map((value) => integer(value)).join(' / '),
        name === 'direct' ? '100%' : percent(cell.okPerSecond / byTarget.direct.okPerSecond),
        name === 'direct' || name === 'floor' ? '' : percent(cell.okPerSecond / byTarget.floor.okPerSecond),
        (name === 'lodestar' || name === 'floor') && byTarget.portkey ? `${fixed(cell.okPerSecond / byTarget.portkey.okPerSecond, 2)}x Portkey` : '',
        `${fixed(cell.latencyP50, 0)} / ${fixed(cell.latencyP99, 0)}`,
        `${integer(cell.non2xx)} / ${integer(cell.errors)} / ${integer(cell.timeouts)}`,
        cell.gatewayCpuUsPerRequest === undefined ? '-' : integer(cell.gatewayCpuUsPerRequest),
        integer(cell.upstreamCpuUsPerRequest),
        integer(cell.clientCpuUsPerRequest),
      ]);
    }
  }
  return out;
}

/** CPU per request by process, and what the machine's cores allow if that is all that limits. */
function cpuTable(result) {
  const cores = result.machine.cpus;
  const headers = ['conc.', 'target', 'load generator', 'proxy', 'upstream', 'total', `${cores} cores allow (req/s)`, 'measured ok req/s'];
  const rows = [];
  for (const [c, byTarget] of Object.entries(result.throughput)) {
    for (const [name, cell] of Object.entries(byTarget)) {
      const total = cell.clientCpuUsPerRequest + (cell.gatewayCpuUsPerRequest ?? 0) + cell.upstreamCpuUsPerRequest;
      rows.push([`c${c}`, SHORT[name], integer(cell.clientCpuUsPerRequest), cell.gatewayCpuUsPerRequest === undefined ? '-' : integer(cell.gatewayCpuUsPerRequest), integer(cell.upstreamCpuUsPerRequest), integer(total), integer((cores * 1e6) / total), integer(cell.okPerSecond)]);
    }
  }
  return { headers, rows, align: ['left', 'left', ...Array(6).fill('right')] };
}

/** "Where the time goes": the run's own CPU numbers, Lodestar against the floor and the upstream. */
function whereTimeGoes(result) {
  const c = concurrencies(result)[0];
  const cell = result.throughput[c];
  const L = cell.lodestar.gatewayCpuUsPerRequest;
  const F = cell.floor.gatewayCpuUsPerRequest;
  const U = cell.lodestar.upstreamCpuUsPerRequest;
  const UD = cell.direct.upstreamCpuUsPerRequest;
  const above = L - F;
  const ceiling = (name) => (result.machine.cpus * 1e6) / (cell[name].clientCpuUsPerRequest + (cell[name].gatewayCpuUsPerRequest ?? 0) + cell[name].upstreamCpuUsPerRequest);
  const header = result.latency.overheadHeaderP50;
  return (
    `At concurrency ${c}, CPU time per completed request (utime+stime from /proc over the throughput runs): Lodestar's process used **${integer(L)} µs**, ` +
    `the bare Node proxy **${integer(F)} µs**, the fake upstream ${integer(U)} µs behind Lodestar (${integer(UD)} µs when asked directly). ` +
    `So ${integer(F)} µs (${percent(F / L)}) of Lodestar's CPU is what any Node proxy pays here (node:http's server and keep-alive client, the JSON in and out), ` +
    `and **${integer(above)} µs (${percent(above / L)})** is its own work, everything the floor does not do (token and host checks, validation, task classification, model resolution, costing, the request event and its ledger line, timeouts, its headers). ` +
    `The proxy, the upstream and the load generator share ${result.machine.cpus} cores; their CPU per request, added up in the table below, caps Lodestar at ~${integer(ceiling('lodestar'))} req/s (it served ${integer(cell.lodestar.okPerSecond)}) ` +
    `and the floor at ~${integer(ceiling('floor'))} (it served ${integer(cell.floor.okPerSecond)}). ` +
    `At concurrency 1 the same gap is time: Lodestar's p50 was ${signed(result.latency.aboveFloor.lodestar.p50.median)} ms above the floor's, the floor's ${signed(result.latency.added.floor.p50.median)} ms above direct` +
    `${header === undefined ? '' : `; Lodestar's \`x-lodestar-overhead-ms\` header counted ${fixed(header)} ms of its own time a request (median of per-round p50)`}.`
  );
}

function memoryRows(result) {
  const label = labels(result);
  return Object.entries(result.memory.summary).map(([name, memory]) => [
    label[name],
    fixed(memory.idle, 1),
    fixed(memory.peakUnderLoad, 1),
    `${fixed(memory.firstRoundPeak, 1)} -> ${fixed(memory.lastRoundPeak, 1)}`,
    fixed(memory.afterLoad, 1),
  ]);
}

const MEMORY_HEADERS = ['process', 'idle after start (MiB)', 'peak under load (MiB)', 'peak load round 1 -> last (MiB)', 'idle after load (MiB)'];

function healthLine(result) {
  const { idle, afterLoad } = result.memory.lodestarHealth ?? {};
  if (!idle || !afterLoad) return '';
  const say = (m) => `rss ${fixed(m.rssMb, 1)}, V8 heap used ${fixed(m.heapUsedMb, 1)} of ${fixed(m.heapTotalMb, 1)}`;
  return `Lodestar's own report, the \`memory\` of its \`/health\` (MB as it counts them, i.e. MiB): idle after start ${say(idle)}; 2 s after the load ${say(afterLoad)}.`;
}

function streamFootnote(result) {
  if (!result.portkey.ok || !result.portkey.streamError) return '';
  return `[1] Portkey's streamed answers failed in this run, so it has no streamed numbers: ${result.portkey.streamError}. ` +
    `This is Portkey's open issue "TypeError: immutable with incompatible version of @hono/node-server" ` +
    `(Portkey-AI/gateway#1389): npm installs a newer @hono/node-server than 1.14.2 for it, and its Node server then fails every streamed chat completion.`;
}

function spreadRows(result) {
  const out = [];
  const range = (entry) => `${fixed(entry.min)} .. ${fixed(entry.max)}`;
  for (const [key, versus] of [['added', 'direct'], ['aboveFloor', 'floor']]) {
    for (const [name, added] of Object.entries(result.latency[key])) {
      out.push([SHORT[name], `c1 p50 minus ${versus}`, range(added.p50)]);
      out.push([SHORT[name], `c1 p99 minus ${versus}`, range(added.p99)]);
      const stream = result.stream[key][name];
      if (!stream) continue;
      out.push([SHORT[name], `1st chunk p50 minus ${versus}`, range(stream.p50)]);
      out.push([SHORT[name], `whole stream (to [DONE]) p50 minus ${versus}`, `${fixed(stream.totalP50.median)} (${range(stream.totalP50)})`]);
    }
  }
  return out;
}

const VERDICT_HEADERS = ['target', 'goal', 'Lodestar measured', 'verdict', 'floor (bare proxy), for context'];
const verdictRows = (result) => result.verdicts.map((entry) => [entry.target, entry.goal, entry.measured, verdict(entry.met), entry.floor]);

const lowerFirst = (text) => text.charAt(0).toLowerCase() + text.slice(1);

function verdictSummary(result) {
  const missed = result.verdicts.filter((entry) => entry.met === false).map((entry) => lowerFirst(entry.target));
  const unmeasured = result.verdicts.filter((entry) => entry.met === undefined).map((entry) => lowerFirst(entry.target));
  const parts = [
    missed.length
      ? `**Not met in this run: ${missed.length} of ${result.verdicts.length}** (${missed.join('; ')}).`
      : `All ${result.verdicts.length} targets met in this run.`,
  ];
  if (unmeasured.length) parts.push(`Not measured: ${unmeasured.join('; ')}.`);
  parts.push("The verdicts judge Lodestar against direct and Portkey, as the issue sets them; the floor column is context, not a different bar.");
  const c16 = result.throughput[16];
  const share = c16 ? c16.floor.okPerSecond / c16.direct.okPerSecond : undefined;
  if (share !== undefined && share < 0.5) {
    parts.push(`Even the bare Node proxy reaches only ${percent(share)} of direct at concurrency 16 here, so on this machine, as the bench measures it, a node:http proxy misses the throughput-share target before doing any work of its own. That is context, and does not change Lodestar's verdict.`);
  }
  return parts.join(' ');
}

function backgroundText(result) {
  const background = result.background;
  if (!background) return 'background load unknown';
  return `CPU time not charged to the benchmark's own processes (other work on the machine, plus interrupt handling) was ${fixed(background.otherCoreSeconds, 1)} core-seconds (${fixed(background.otherShare * 100, 1)}% of ${result.machine.cpus} cores x ${fixed(background.seconds, 0)} s), and the hypervisor took ${fixed(background.stealShare * 100, 1)}% (steal)`;
}

const flagsText = (flags) => (flags?.length ? flags.map((flag) => `\`${flag}\``).join(' ') : 'no flags');

function logText(result) {
  const stats = result.lodestarLog;
  const counted = stats ? `: over this whole run its \`daemon.log\` got ${integer(stats.lines)} lines (${integer(stats.bytes)} bytes), ${integer(stats.requestLines)} of them per-request lines` : '';
  const ledger = result.lodestarLedger
    ? ` Every request it answers goes to its ledger (\`LODESTAR_HOME/ledger/*.jsonl\`, one JSON line per request, written before the answer's last byte): ${integer(result.lodestarLedger.lines)} lines (${fixed(result.lodestarLedger.bytes / 1048576, 1)} MiB) in this run; that cost is part of its numbers.`
    : '';
  return `Lodestar runs with its default config but for the response cache, which is off (the same body is sent again and again; a cache hit is not the path measured here), log level \`info\`, at which it writes no line for a successful request (those are at \`debug\`; failures are at \`warn\`)${counted}.${ledger}`;
}

export function renderText(result) {
  const main = mainTable(result);
  const floor = floorTable(result);
  const cpu = cpuTable(result);
  const parts = [
    `Gateway overhead (issue 3) — ${when(result)}, ${result.machine.cpus} cores, Node ${result.machine.node}, Portkey ${result.portkey.version}${result.portkey.ok ? '' : ` (NOT MEASURED: ${result.portkey.error})`}`,
    `${result.latency.rounds} interleaved rounds; medians across rounds; times in ms; added = target minus direct, per round`,
    '',
    textTable(main.headers, main.rows, main.align),
    ...(streamFootnote(result) ? [streamFootnote(result)] : []),
    '',
    'Lodestar above direct and above the floor (bare Node proxy):',
    textTable(floor.headers, floor.rows, floor.align),
    '',
    textTable(LOAD_HEADERS, loadRows(result), LOAD_ALIGN),
    '',
    textTable(cpu.headers, cpu.rows, cpu.align),
    '',
    textTable(MEMORY_HEADERS, memoryRows(result), right(4)),
    ...(healthLine(result) ? [healthLine(result)] : []),
    '',
    textTable(['target', 'measure', 'range across rounds (ms)'], spreadRows(result)),
    '',
    textTable(VERDICT_HEADERS, verdictRows(result)),
    verdictSummary(result).replace(/\*\*/g, ''),
    '',
    `Where the time goes: ${whereTimeGoes(result).replace(/\*\*/g, '')}`,
    '',
    `${logText(result)} Daemon flags: ${result.lodestarNodeFlags?.join(' ') || '(none)'}; the floor ran with ${result.floorNodeFlags?.join(' ') || '(none)'}.`,
  ];
  if (result.cpuProfile) parts.push('', renderProfileText(result.cpuProfile));
  parts.push('', `took ${fixed(result.durationSeconds, 0)} s; the upstream served ${integer(result.upstreamServed)} requests; ${backgroundText(result)}`);
  return parts.join('\n');
}

export function renderMarkdown(result) {
  const m = result.machine;
  const plan = result.plan;
  const main = mainTable(result);
  const floor = floorTable(result);
  const cpu = cpuTable(result);
  const portkeyLine = result.portkey.ok
    ? `Portkey gateway ${result.portkey.version} (\`@portkey-ai/gateway\`, its Node server \`build/start-server.js --headless --port=N\`, \`NODE_ENV=production\`, Node's default flags), model \`gpt-4o-mini\` with \`x-portkey-provider: openai\` and \`x-portkey-custom-host\` pointing at the fake upstream.`
    : `Portkey gateway ${result.portkey.version}: **not measured in this run** — ${result.portkey.error}. Its columns are left out rather than estimated.`;
  return `## Gateway overhead (issue 3)

What Lodestar adds between a client and an OpenAI-compatible upstream, next to the same upstream
reached directly, through a bare Node proxy (the floor: what any Node proxy pays here) and
through the Portkey gateway. All numbers below come from one run of
\`npm run bench\`${result.quick ? ' (**quick mode: fewer rounds, not for comparison**)' : ''}.

- **When and where**: ${when(result)}; Lodestar ${m.lodestar}; ${m.cpus} cores (\`nproc\`: ${m.nproc}), ${m.cpuModel}, ${fixed(m.memoryGiB, 0)} GiB; Node ${m.node} (\`node --version\`); ${m.os}.
- **Upstream**: \`bench/fake-upstream.js\`, a node:http server in its own process on 127.0.0.1 answering a fixed small \`chat.completion\`; streamed, 20 content chunks, a finish chunk, a usage chunk (\`"choices": []\`, sent because the clients ask for \`stream_options.include_usage\`) and \`data: [DONE]\`, one write per frame.
- **Targets**, each in its own process: (a) direct to the fake upstream; (b) the floor, \`bench/bare-proxy.js\`: the thinnest honest Node proxy (a node:http server and a node:http keep-alive Agent with the same pool settings as Lodestar's; it reads the body, JSON.parse, sets the model, JSON.stringify, forwards with the provider key, reads the answer and JSON.parse it for its usage, writes it back; a stream is piped through chunk by chunk; no auth, validation, routing, timeouts or logging), started with the same Node flags as the daemon (${flagsText(result.floorNodeFlags)}); (c) Lodestar, started with \`lodestar start --port 0\` on a fresh \`LODESTAR_HOME\`, default config but the response cache off, \`OPENAI_BASE_URL\` pointing at the fake upstream, model \`openai/gpt-4o-mini\` (forwarded as \`gpt-4o-mini\`); \`lodestar start\` ran the daemon with ${flagsText(result.lodestarNodeFlags)} (read from its command line); (d) ${portkeyLine}
- **Before timing**: each target is checked to answer correctly (the upstream sees model \`gpt-4o-mini\` and the provider key; a stream has all 20 content chunks, the usage chunk and \`[DONE]\`).
- **Latency at concurrency 1** (non-streamed): the bench's own client, one keep-alive connection per target, one request at a time, timed with \`process.hrtime.bigint()\` from writing the request to the end of the answer. Warm-up ${plan.latencyWarmup} requests per target, then ${plan.latencyRounds} rounds; in each round every target runs ${plan.latencyPerRound} requests, the order of the targets rotating from round to round. Per round: p50 and p99 per target, the added time = target minus direct *in that round*, and the time above the floor = target minus the bare proxy in that round. Reported: the median across rounds.
- **First streamed chunk**: the same client with \`"stream": true\`; time from writing the request to the first \`data:\` frame with non-empty \`delta.content\`. Warm-up ${plan.streamWarmup}, then ${plan.streamRounds} rounds x ${plan.streamPerRound} per target, interleaved and reported as above.
- **Throughput**: autocannon ${result.autocannon} (programmatic, in the bench's process), non-streamed POST, ${plan.concurrencies.join(' and ')} connections, ${plan.loadRounds} interleaved rounds of ${plan.loadSeconds} s per target and concurrency (after a ${plan.loadWarmupSeconds} s warm-up per target), i.e. ${plan.loadRounds * plan.loadSeconds} s per cell; req/s counts 2xx answers only, over the total time. Non-2xx answers, errors and timeouts are counted. CPU µs/request: a process's utime+stime (from \`/proc/<pid>/stat\`) over the runs, divided by the requests completed; for the load generator, the bench's own process (\`process.cpuUsage()\`).
- **Memory**: VmRSS from \`/proc/<pid>/status\` (Lodestar's pid from \`daemon.json\`): idle 2 s after start, before any request, sampled every 100 ms during the throughput runs, warm-ups included (peak), and again 2 s after the last load run; Lodestar's own \`/health\` \`memory\` is read at the same two idle moments. "Flat" is judged as: the peak under load is at most 2x the idle RSS, and the peak in the last load round is at most 5 MiB above the peak in the first, identical round.

### Results

Times in ms; "added" = through the target minus direct (median across rounds of the per-round difference).

${table(main.headers, main.rows, main.align)}
${streamFootnote(result) ? `\n${streamFootnote(result)}\n` : ''}
Lodestar above direct and above the floor (times: median across rounds of the per-round difference; CPU and req/s: over all throughput runs):

${table(floor.headers, floor.rows, floor.align)}

Throughput (autocannon, non-streamed):

${table(LOAD_HEADERS, loadRows(result), LOAD_ALIGN)}

Memory (RSS):

${table(MEMORY_HEADERS, memoryRows(result), right(4))}
${healthLine(result) ? `\n${healthLine(result)}\n` : ''}
Spread across the ${result.latency.rounds} rounds (min .. max):

${table(['target', 'measure', 'ms'], spreadRows(result))}
${result.latency.overheadHeaderP50 !== undefined ? `\nLodestar's own accounting, its \`x-lodestar-overhead-ms\` header (its own time: from the request's arrival, reading and parsing the body included, to the upstream call, plus from the upstream's answer to its own answer's headers), median of per-round p50: ${fixed(result.latency.overheadHeaderP50)} ms.\n` : ''}
### Where the time goes

${whereTimeGoes(result)}

CPU µs per completed request, by process (\`${m.cpus} cores allow\` = ${m.cpus} x 1 s of CPU divided by the total, the rate at which CPU alone would run out):

${table(cpu.headers, cpu.rows, cpu.align)}

Where inside Lodestar: \`npm run bench -- --cpu-prof\` runs the same benchmark with the daemon under \`--cpu-prof\` and prints its self time by area and by function (those numbers are slowed by the profiler and are not written here).

### Targets (from the issue)

${table(VERDICT_HEADERS, verdictRows(result))}

${verdictSummary(result)}

### Issue 12's targets (Lodestar against the floor)

${table(['target (issue 12)', 'measured', ''], issue12Rows(result))}

### Caveats

- This is a shared, noisy ${m.cpus}-core machine: during this run, ${backgroundText(result)}. The load generator (autocannon), the fake upstream and the proxy under test share those cores, so the throughput of "direct" has one process fewer competing for them than the proxies do, and the numbers are for comparing targets within one run, not absolute capacity. Interleaving the targets in rounds and taking medians evens out slow phases of the machine; the spread above shows how much they still move.
- The upstream answers instantly; a real provider takes hundreds of ms, beside which the added times here are small. These numbers isolate what each proxy itself costs.
- ${logText(result)} Lodestar is built from the work tree as it was at the start of the run (${m.lodestar}). Each process the bench starts has \`bench/lib/child-guard.js\` preloaded (it only exits the process if the bench dies); for Portkey it also binds its server to 127.0.0.1 instead of every interface.
- The floor is a reference, not a product: it has none of Lodestar's checks or accounting, no timeouts, and it trusts the upstream. It is what the same machine, Node and flags charge for the bytes and the JSON alone.
- Portkey's Node server is measured as shipped in \`@portkey-ai/gateway\` with the dependencies npm resolves for it today (Hono on @hono/node-server, \`fetch\` to the upstream); its hosted or Workers deployments may behave differently. Reading its shipped stream code (\`build/start-server.js\`), it also waits 25 ms (\`setTimeout\`) before passing on the first chunk of an OpenAI-style stream, so even where its streams work its first chunk comes at least 25 ms after direct; that is read from the code, not measured here.
`;
}

/** Issue 12 judges Lodestar against the floor rather than direct: CPU a request, latency at c1, idle memory. */
export const TARGETS_ISSUE_12 = { cpuRatioOfFloor: 1.3, latencyAboveFloorMs: 0.1, idleRssMB: 70 };

function issue12Rows(result) {
  const rows = [];
  for (const c of concurrencies(result)) {
    const cell = result.throughput[c];
    const ratio = cell.lodestar.gatewayCpuUsPerRequest / cell.floor.gatewayCpuUsPerRequest;
    rows.push([`daemon CPU a request <= ${TARGETS_ISSUE_12.cpuRatioOfFloor}x the floor's, c${c}`, `${integer(cell.lodestar.gatewayCpuUsPerRequest)} µs against ${integer(cell.floor.gatewayCpuUsPerRequest)} µs: ${ratio.toFixed(2)}x`, verdict(ratio <= TARGETS_ISSUE_12.cpuRatioOfFloor)]);
  }
  const above = result.latency.aboveFloor.lodestar.p50.median;
  rows.push([`added latency p50 at c1 <= the floor's + ${TARGETS_ISSUE_12.latencyAboveFloorMs} ms`, `${signed(above)} ms above the floor`, verdict(above <= TARGETS_ISSUE_12.latencyAboveFloorMs)]);
  const idle = result.memory.summary.lodestar?.idle;
  if (idle !== undefined) {
    const floorIdle = result.memory.summary.floor?.idle;
    rows.push([`idle RSS <= ${TARGETS_ISSUE_12.idleRssMB} MB (read as MiB)`, `${fixed(idle, 1)} MiB${floorIdle === undefined ? '' : ` (the floor: ${fixed(floorIdle, 1)} MiB)`}`, verdict(idle <= TARGETS_ISSUE_12.idleRssMB)]);
  }
  return rows;
}
