// Soak (issue 12): the daemon under a steady mixed load for 10 minutes, as a long working day
// compressed: plain and streamed answers, tool calls through the Anthropic translation, cache
// hits, a failing provider (with lodestar/auto falling back past it), streams that break
// mid-way, and three dashboards attached to /api/events the whole time. Reports the daemon's
// RSS at each minute (target: no growth after the first two minutes) and checks that every
// answered request is in the ledger exactly once.
//
// runSoakBench(options) -> { id, title, result, text, markdown }
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { machineInfo, readJson, ROOT, sanitizedEnv } from './gateway-targets.js';
import { postJson } from './lib/http-client.js';
import { cpuMs, GUARD_IMPORT, killSync, registerCleanup, rssMiB, runNodeSync, waitForExit } from './lib/processes.js';

export const TARGETS = { rssGrowthAfterMinute2MiB: 5 };
const PLAN = { minutes: 10, workers: 8, perSecond: 200, dashboards: 3 };
const QUICK = { minutes: 1, workers: 4, perSecond: 100, dashboards: 3 };
const LODESTAR_BIN = join(ROOT, 'bin', 'lodestar');
const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
/** Placeholders the doubles check for, nothing like a real key. */
const KEYS = { openai: 'placeholder-soak-openai', anthropic: 'placeholder-soak-anthropic', deepseek: 'placeholder-soak-deepseek', groq: 'placeholder-soak-groq' };

/** The mix, in shares of the requests; each kind says what it exercises. */
const MIX = [
  { kind: 'plain', share: 0.3, model: 'openai/gpt-4o-mini', stream: false },
  { kind: 'stream', share: 0.22, model: 'openai/gpt-4o-mini', stream: true },
  { kind: 'tools via Anthropic', share: 0.1, model: 'anthropic/claude-haiku-4-5', stream: false, tools: true },
  { kind: 'tools via Anthropic, streamed', share: 0.05, model: 'anthropic/claude-haiku-4-5', stream: true, tools: true },
  { kind: 'cache hit', share: 0.1, model: 'openai/gpt-4o-mini', stream: false, deterministic: true },
  { kind: 'provider down (500)', share: 0.08, model: 'deepseek/deepseek-flash', stream: false },
  { kind: 'auto, falls back past the failing provider', share: 0.08, model: 'lodestar/auto', stream: false, task: 'edit' },
  { kind: 'stream broken mid-way', share: 0.07, model: 'groq/llama-3.3-70b-versatile', stream: true },
];

export async function runSoakBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const work = mkdtempSync(join(tmpdir(), 'lodestar-soak-bench-'));
  const forgetWork = registerCleanup('soak bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const { startOpenAIDouble, startAnthropicDouble } = await dist('test/doubles/index.js');
  const { subscribeToEvents } = await dist('src/shared/events-client.js');
  const doubles = {
    openai: await startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai }),
    anthropic: await startAnthropicDouble({ apiKey: KEYS.anthropic }),
    deepseek: await startOpenAIDouble({ flavor: 'deepseek', apiKey: KEYS.deepseek }),
    groq: await startOpenAIDouble({ flavor: 'groq', apiKey: KEYS.groq }),
  };
  doubles.openai.setDefault({ kind: 'reply', text: 'A plain answer of a few words, as a commit message or a short reply would be.', usage: { inputTokens: 900, outputTokens: 40 } });
  doubles.anthropic.setDefault({ kind: 'reply', toolCalls: [{ name: 'edit_file', arguments: '{"path":"src/app.ts","search":"foo","replace":"bar"}' }], usage: { inputTokens: 1800, cacheReadTokens: 1000, outputTokens: 60 } });
  doubles.deepseek.setDefault({ kind: 'error', status: 500 });
  doubles.groq.setDefault({ kind: 'midstream-error', afterChunks: 2 });

  const home = join(work, 'home');
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ providers: { ollama: { enabled: false } }, routing: { retries: 0 } }), { mode: 0o600 });
  // The bench's guard preloaded, with its memory file: on SIGUSR2 the daemon runs a full garbage
  // collection and writes what is still live, which tells a leak from a heap that has grown to
  // the load's size and stays there.
  const memfile = join(work, 'memory');
  const env = {
    ...sanitizedEnv(),
    NODE_OPTIONS: [GUARD_IMPORT, ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'cpu-prof')}`] : [])].join(' '),
    LODESTAR_BENCH_PARENT: String(process.pid),
    LODESTAR_BENCH_MEMFILE: memfile,
    LODESTAR_HOME: home,
    LODESTAR_UI_PORT: '0',
    OPENAI_API_KEY: KEYS.openai,
    OPENAI_BASE_URL: doubles.openai.url,
    ANTHROPIC_API_KEY: KEYS.anthropic,
    ANTHROPIC_BASE_URL: doubles.anthropic.url,
    DEEPSEEK_API_KEY: KEYS.deepseek,
    DEEPSEEK_BASE_URL: doubles.deepseek.url,
    GROQ_API_KEY: KEYS.groq,
    GROQ_BASE_URL: doubles.groq.url,
  };
  const started = runNodeSync([LODESTAR_BIN, 'start', '--port', '0'], { env, cwd: work, timeoutMs: 30_000 });
  const state = readJson(join(home, 'daemon.json'));
  if (started.status !== 0 || !state?.port) throw new Error(`lodestar start failed: ${started.stderr || started.stdout}`);
  const forgetDaemon = registerCleanup('soak daemon', () => killSync(state.pid, 5000));
  const token = readFileSync(join(home, 'token'), 'utf8').trim();
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan, mix: MIX.map(({ kind, share }) => ({ kind, share })) };

  try {
    // Three dashboards, as `lodestar dashboard` subscribes: the types it shows.
    const dashboards = [];
    const dashboardEvents = { count: 0 };
    for (let index = 0; index < plan.dashboards; index++) {
      dashboards.push(await subscribeToEvents(state.port, token, () => dashboardEvents.count++, { types: ['request', 'gpu', 'ollama', 'provider'], recent: 20 }));
    }
    await delay(2000);
    const idle = rssMiB(state.pid);
    log(`soak: ${plan.minutes} min at ~${plan.perSecond} req/s from ${plan.workers} workers, ${plan.dashboards} dashboards attached; idle RSS ${idle.toFixed(1)} MiB`);

    const agent = new Agent({ keepAlive: true, maxSockets: plan.workers });
    const counts = Object.fromEntries(MIX.map((entry) => [entry.kind, { sent: 0, byStatus: {} }]));
    let sequence = 0;
    const minutes = [];
    const cpuStart = cpuMs(state.pid);
    const startedAt = Date.now();
    const endAt = startedAt + plan.minutes * 60_000;
    const interval = (1000 * plan.workers) / plan.perSecond;
    let random = 20261203;
    const next = () => {
      random = (random * 1103515245 + 12345) % 2147483648;
      return random / 2147483648;
    };
    const pick = () => {
      let roll = next();
      for (const entry of MIX) {
        roll -= entry.share;
        if (roll <= 0) return entry;
      }
      return MIX[0];
    };
    const worker = async () => {
      while (Date.now() < endAt) {
        const began = Date.now();
        const entry = pick();
        const id = sequence++;
        const status = await send(state.port, token, agent, entry, id).catch(() => 'client error');
        const tally = counts[entry.kind];
        tally.sent++;
        tally.byStatus[status] = (tally.byStatus[status] ?? 0) + 1;
        const wait = interval - (Date.now() - began);
        if (wait > 0) await delay(wait);
      }
    };
    const sampler = setInterval(() => {
      const minute = Math.floor((Date.now() - startedAt) / 60_000);
      if (minute > minutes.length && minute <= plan.minutes) {
        minutes.push({ minute, rssMiB: rssMiB(state.pid), requests: sequence, cpuMs: cpuMs(state.pid) - cpuStart, liveHeapMiB: liveHeapMiB(state.pid, memfile) });
        log(`  minute ${minute}: RSS ${minutes.at(-1).rssMiB.toFixed(1)} MiB, ${sequence.toLocaleString('en-US')} requests`);
      }
    }, 1000);
    let peak = 0;
    const peakSampler = setInterval(() => (peak = Math.max(peak, rssMiB(state.pid) ?? 0)), 500);
    await Promise.all(Array.from({ length: plan.workers }, worker));
    clearInterval(sampler);
    clearInterval(peakSampler);
    if (minutes.length < plan.minutes) minutes.push({ minute: plan.minutes, rssMiB: rssMiB(state.pid), requests: sequence, cpuMs: cpuMs(state.pid) - cpuStart, liveHeapMiB: liveHeapMiB(state.pid, memfile) });
    await delay(600);
    // The live heaps asked for at each minute, read once their collections are done.
    const live = readLiveHeaps(state.pid, memfile);
    minutes.forEach((entry, index) => (entry.liveHeapMiB = live[index]));
    agent.destroy();
    for (const dashboard of dashboards) dashboard.close();
    await delay(1500);

    // Every answered request in the ledger exactly once: its lines for this project, their ids.
    const lines = readdirSync(join(home, 'ledger'))
      .filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => readFileSync(join(home, 'ledger', name), 'utf8').split('\n').filter(Boolean))
      .map((line) => JSON.parse(line))
      .filter((event) => event.project === 'soak');
    const ids = new Set(lines.map((event) => event.id));
    const answered = Object.values(counts).reduce((sum, tally) => sum + Object.entries(tally.byStatus).filter(([status]) => status !== 'client error').reduce((total, [, count]) => total + count, 0), 0);
    const markers = new Set(lines.map((event) => event.session));
    result.ledger = { lines: lines.length, distinctIds: ids.size, answered, distinctRequests: markers.size, statuses: countBy(lines, (event) => event.status) };
    result.counts = counts;
    result.minutes = minutes;
    result.idleRssMiB = idle;
    result.peakRssMiB = peak;
    result.requests = sequence;
    result.seconds = (Date.now() - startedAt) / 1000;
    result.cpuUsPerRequest = ((cpuMs(state.pid) - cpuStart) * 1000) / sequence;
    result.dashboardEvents = dashboardEvents.count;
    const atTwo = minutes.find((entry) => entry.minute === Math.min(2, plan.minutes))?.rssMiB ?? idle;
    const after = minutes.filter((entry) => entry.minute > 2).map((entry) => entry.rssMiB);
    result.growthAfterMinute2MiB = after.length ? Math.max(...after) - atTwo : 0;
    log(`soak: ${sequence.toLocaleString('en-US')} requests, ledger ${lines.length.toLocaleString('en-US')} lines (${ids.size.toLocaleString('en-US')} ids) for ${answered.toLocaleString('en-US')} answered; RSS growth after minute 2: ${result.growthAfterMinute2MiB.toFixed(1)} MiB`);
  } finally {
    runNodeSync([LODESTAR_BIN, 'stop'], { env, cwd: work, timeoutMs: 40_000 });
    if (!(await waitForExit(state.pid, 5000))) killSync(state.pid, 1000);
    forgetDaemon();
    await Promise.all(Object.values(doubles).map((double) => double.close()));
    if (options.cpuProf) log(`soak: the daemon's CPU profile is in ${join(work, 'cpu-prof')}`);
    else if (!options.keep) rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
  return { id: 'soak', title: 'Soak: 10 minutes of mixed load (issue 12)', result, text: renderText(result), markdown: renderMarkdown(result) };
}

/** One request of a kind, each marked with its own session id so the ledger can be matched to it. */
function send(port, token, agent, entry, id) {
  const body = {
    model: entry.model,
    stream: entry.stream,
    ...(entry.stream ? { stream_options: { include_usage: true } } : {}),
    ...(entry.deterministic ? { temperature: 0 } : {}),
    messages: [
      { role: 'system', content: 'Act as an expert software developer.' },
      { role: 'user', content: entry.deterministic ? 'What does this project do?' : `Request ${id}: rename foo to bar in src/app.ts` },
    ],
    ...(entry.tools ? { tools: [{ type: 'function', function: { name: 'edit_file', description: 'Edit a file', parameters: { type: 'object', properties: { path: { type: 'string' }, search: { type: 'string' }, replace: { type: 'string' } }, required: ['path'] } } }] } : {}),
  };
  const payload = Buffer.from(JSON.stringify(body));
  return postJson(port, '/v1/chat/completions', agent, {
    host: `127.0.0.1:${port}`,
    authorization: `Bearer ${token}`,
    'x-lodestar-project': 'soak',
    'x-lodestar-session': `r${id}`,
    ...(entry.task ? { 'x-lodestar-task': entry.task } : {}),
  }, payload);
}

/** Asks the daemon's guard for a full collection and a record of what is live (read later). */
function liveHeapMiB(pid) {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    // gone: nothing to record
  }
  return undefined;
}

/** The V8 heap still in use after each forced collection, MiB, in order. */
function readLiveHeaps(pid, memfile) {
  try {
    return readFileSync(`${memfile}.${pid}.gc.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line).heapUsed / 1048576);
  } catch {
    return [];
  }
}

function countBy(items, key) {
  const counts = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function verdicts(result) {
  const exactlyOnce = result.ledger.lines === result.ledger.answered && result.ledger.distinctIds === result.ledger.lines && result.ledger.distinctRequests === result.ledger.lines;
  return { flat: result.growthAfterMinute2MiB <= TARGETS.rssGrowthAfterMinute2MiB, exactlyOnce };
}

function renderText(result) {
  const check = verdicts(result);
  return [
    `Soak: ${result.requests.toLocaleString('en-US')} requests in ${(result.seconds / 60).toFixed(1)} min (${(result.requests / result.seconds).toFixed(0)} req/s), ${result.plan.dashboards} dashboards attached (${result.dashboardEvents.toLocaleString('en-US')} events delivered to them)`,
    `  RSS by minute (MiB): idle ${result.idleRssMiB.toFixed(1)}, ${result.minutes.map((entry) => `${entry.minute}: ${entry.rssMiB.toFixed(1)}`).join(', ')}; peak ${result.peakRssMiB.toFixed(1)}`,
    `  live V8 heap after a full GC, by minute (MiB): ${result.minutes.map((entry) => `${entry.minute}: ${entry.liveHeapMiB === undefined ? '-' : entry.liveHeapMiB.toFixed(1)}`).join(', ')}`,
    `  growth after minute 2: ${result.growthAfterMinute2MiB.toFixed(1)} MiB (target <= ${TARGETS.rssGrowthAfterMinute2MiB}: ${check.flat ? 'met' : 'NOT met'})`,
    `  ledger: ${result.ledger.lines.toLocaleString('en-US')} lines, ${result.ledger.distinctIds.toLocaleString('en-US')} distinct ids, ${result.ledger.distinctRequests.toLocaleString('en-US')} distinct requests, for ${result.ledger.answered.toLocaleString('en-US')} answered (${check.exactlyOnce ? 'each exactly once' : 'NOT each exactly once'}); by status ${JSON.stringify(result.ledger.statuses)}`,
    `  daemon CPU ${result.cpuUsPerRequest.toFixed(0)} µs/request over the soak`,
    ...Object.entries(result.counts).map(([kind, tally]) => `  ${kind}: ${tally.sent.toLocaleString('en-US')} sent, answered ${JSON.stringify(tally.byStatus)}`),
  ].join('\n');
}

function renderMarkdown(result) {
  const check = verdicts(result);
  const rows = result.counts;
  return `## Soak: 10 minutes of mixed load (issue 12)

Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, Lodestar ${result.lodestar}, by \`npm run bench -- soak\` (bench/soak.js).

- **Load**: ${result.plan.workers} clients on keep-alive connections, paced to ~${result.plan.perSecond} requests a second in all, for ${result.plan.minutes} minutes: ${result.requests.toLocaleString('en-US')} requests (${(result.requests / result.seconds).toFixed(0)} a second). Each is marked with its own \`x-lodestar-session\` so that the ledger can be matched to what was sent. ${result.plan.dashboards} dashboards stay attached to \`/api/events\` throughout (the types \`lodestar dashboard\` asks for), and were sent ${result.dashboardEvents.toLocaleString('en-US')} events between them.
- **Upstreams**: the test doubles (test/doubles), in the bench's process: OpenAI answering, Anthropic answering with a tool call (through Lodestar's translation), DeepSeek failing every request with a 500 (its circuit opens and closes as designed), Groq breaking every stream after two chunks. Lodestar runs with its defaults (the response cache on), Ollama off, retries 0.

| kind | share | sent | answered (HTTP status: count) |
| --- | ---: | ---: | --- |
${MIX.map((entry) => `| ${entry.kind} | ${Math.round(entry.share * 100)}% | ${rows[entry.kind].sent.toLocaleString('en-US')} | ${Object.entries(rows[entry.kind].byStatus).map(([status, count]) => `${status}: ${count.toLocaleString('en-US')}`).join(', ')} |`).join('\n')}

| minute | ${result.minutes.map((entry) => entry.minute).join(' | ')} |
| --- | ${result.minutes.map(() => '---:').join(' | ')} |
| daemon RSS (MiB) | ${result.minutes.map((entry) => entry.rssMiB.toFixed(1)).join(' | ')} |
| live V8 heap after a full GC (MiB) | ${result.minutes.map((entry) => (entry.liveHeapMiB === undefined ? '-' : entry.liveHeapMiB.toFixed(1))).join(' | ')} |
| requests so far | ${result.minutes.map((entry) => entry.requests.toLocaleString('en-US')).join(' | ')} |

Idle RSS before the load ${result.idleRssMiB.toFixed(1)} MiB; peak during it ${result.peakRssMiB.toFixed(1)} MiB (sampled every 0.5 s). Daemon CPU: ${result.cpuUsPerRequest.toFixed(0)} µs a request over the soak (a mix heavier than the gateway bench's single plain request).

| target (issue 12) | measured | |
| --- | --- | --- |
| no RSS growth after the first two minutes (at most +${TARGETS.rssGrowthAfterMinute2MiB} MiB over minute 2) | ${result.growthAfterMinute2MiB >= 0 ? '+' : ''}${result.growthAfterMinute2MiB.toFixed(1)} MiB | ${check.flat ? 'met' : '**not met**'} |
| every answered request in the ledger exactly once | ${result.ledger.lines.toLocaleString('en-US')} ledger lines, ${result.ledger.distinctIds.toLocaleString('en-US')} distinct event ids and ${result.ledger.distinctRequests.toLocaleString('en-US')} distinct requests, for ${result.ledger.answered.toLocaleString('en-US')} requests answered (statuses in the ledger: ${Object.entries(result.ledger.statuses).map(([status, count]) => `${status} ${count.toLocaleString('en-US')}`).join(', ')}) | ${check.exactlyOnce ? 'met' : '**not met**'} |
`;
}
