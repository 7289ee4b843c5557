// Inline completions through Lodestar (POST /v1/completions, fill-in-the-middle), in one run on
// this machine: what the daemon adds to a completion against the same request sent straight to
// Ollama (the Ollama double, in a process of its own, answering at once), p50 and p95.
// 1. Non-streamed: a completion through the daemon (lodestar/complete, routed, relayed from
//    /api/generate, recorded in the ledger) against the /api/generate request the daemon sends
//    for it, sent straight to the double; interleaved rounds, each round's p50 and p95 less the
//    direct ones of the same round.
// 2. Streamed: the time to the first piece of text (the first text_completion chunk with text,
//    against the first NDJSON line with a response), and to the end.
//
// runCompletionsBench(options) -> { id, title, result, text, markdown }
// options: { quick, keep, log, plan }
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { backgroundLoad } from './gateway-measure.js';
import { machineInfo, ROOT, sanitizedEnv, startLodestar } from './gateway-targets.js';
import { machineCpuMs, registerCleanup, startNode, stopChild } from './lib/processes.js';
import { max, median, min, percentile, rotate } from './lib/stats.js';

export const TARGETS = { addedP50Ms: 2 };
const PLAN = { warmup: 500, rounds: 7, perRound: 300, streamRounds: 7, streamPerRound: 200 };
const QUICK = { warmup: 100, rounds: 3, perRound: 100, streamRounds: 3, streamPerRound: 50 };
const MODEL = 'qwen2.5-coder:1.5b-base';
const PREFIX = 'def add(a, b):\n    ';
const SUFFIX = '\n\n\nprint(add(1, 2))\n';
/** What the daemon sends Ollama for the completion (its default num_ctx, keep_alive and output limit): the direct request is the same. */
const GENERATE = { model: MODEL, prompt: PREFIX, suffix: SUFFIX, keep_alive: '30m', options: { num_ctx: 8192, num_predict: 128 } };

/** One client per target: one keep-alive connection, a fixed body per kind. */
class Client {
  constructor({ name, port, path, headers = {}, bodies, first }) {
    this.name = name;
    this.port = port;
    this.path = path;
    this.headers = { 'content-type': 'application/json', ...headers };
    this.bodies = Object.fromEntries(Object.entries(bodies).map(([kind, body]) => [kind, Buffer.from(JSON.stringify(body))]));
    this.first = first;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
  }

  /** One request: { status, body, firstMs, totalMs } (firstMs: the first piece of text, streams only). */
  send(kind) {
    const body = this.bodies[kind];
    return new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const request = http.request({ host: '127.0.0.1', port: this.port, path: this.path, method: 'POST', agent: this.agent, headers: { ...this.headers, 'content-length': String(body.length) } }, (response) => {
        let text = '';
        let firstMs;
        response.setEncoding('utf8');
        response.on('data', (piece) => {
          text += piece;
          if (firstMs === undefined && kind === 'stream' && this.first.test(text)) firstMs = Number(process.hrtime.bigint() - start) / 1e6;
        });
        response.on('end', () => resolve({ status: response.statusCode, body: text, firstMs, totalMs: Number(process.hrtime.bigint() - start) / 1e6 }));
        response.on('error', reject);
      });
      request.setTimeout(15_000, () => request.destroy(new Error(`${this.name}: no answer within 15 s`)));
      request.on('error', reject);
      request.end(body);
    });
  }

  close() {
    this.agent.destroy();
  }
}

export async function runCompletionsBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const work = mkdtempSync(join(tmpdir(), 'lodestar-completions-bench-'));
  const forgetWork = registerCleanup('completions bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const env = sanitizedEnv();
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan };
  const stops = [];
  try {
    const double = await startNode('ollama double', [join(ROOT, 'bench', 'ollama-double-server.js'), '--port', '0'], { env, logPath: join(work, 'ollama-double.log'), ready: /ollama-double listening (\d+)/, ipc: true });
    stops.push(async () => stopChild('ollama double', double.pid));
    const ollamaPort = Number(double.match[1]);
    const daemon = await startLodestar({ env, work, upstreamPort: ollamaPort, result, config: { cache: { enabled: false }, gpu: { enabled: false }, providers: { ollama: { warmup: false } } }, extraEnv: { OLLAMA_HOST: `http://127.0.0.1:${ollamaPort}` } });
    stops.push(daemon.stop);
    const startedAt = Date.now();
    const machineAtStart = machineCpuMs();
    const benchCpuAtStart = process.cpuUsage();

    const direct = new Client({ name: 'direct', port: ollamaPort, path: '/api/generate', bodies: { plain: { ...GENERATE, stream: false }, stream: { ...GENERATE, stream: true } }, first: /"response":"[^"]/ });
    const lodestar = new Client({
      name: 'lodestar',
      port: daemon.port,
      path: '/v1/completions',
      headers: { authorization: `Bearer ${daemon.token}`, 'x-lodestar-tool': 'vscode' },
      bodies: { plain: { model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX }, stream: { model: 'lodestar/complete', prompt: PREFIX, suffix: SUFFIX, stream: true } },
      first: /"text":"[^"]/,
    });
    const clients = [direct, lodestar];

    log('checks: the daemon answers the completion, sends Ollama the same request as the direct one, and records it in the ledger');
    result.checks = await checkAnswers(direct, lodestar, double.child, daemon.home);

    log(`warm-up: ${plan.warmup} requests per target, plain and streamed`);
    for (const client of clients) for (let index = 0; index < plan.warmup; index++) await client.send(index % 2 ? 'stream' : 'plain');

    log(`non-streamed: ${plan.rounds} interleaved rounds of ${plan.perRound} per target`);
    const rounds = [];
    for (let round = 0; round < plan.rounds; round++) {
      const entry = {};
      for (const client of rotate(clients, round)) {
        const samples = [];
        for (let index = 0; index < plan.perRound; index++) samples.push(await timed(client, 'plain'));
        entry[client.name] = { p50: percentile(samples.map((sample) => sample.totalMs), 50), p95: percentile(samples.map((sample) => sample.totalMs), 95) };
      }
      entry.addedP50 = entry.lodestar.p50 - entry.direct.p50;
      entry.addedP95 = entry.lodestar.p95 - entry.direct.p95;
      rounds.push(entry);
      log(`  round ${round + 1}: direct p50 ${entry.direct.p50.toFixed(3)} ms, through the daemon ${entry.lodestar.p50.toFixed(3)} ms: +${entry.addedP50.toFixed(3)} ms p50, +${entry.addedP95.toFixed(3)} ms p95`);
    }
    result.plain = summarizeRounds(rounds);

    log(`streamed: ${plan.streamRounds} interleaved rounds of ${plan.streamPerRound} per target, to the first piece of text and to the end`);
    const streamRounds = [];
    for (let round = 0; round < plan.streamRounds; round++) {
      const entry = {};
      for (const client of rotate(clients, round)) {
        const samples = [];
        for (let index = 0; index < plan.streamPerRound; index++) samples.push(await timed(client, 'stream'));
        const first = samples.map((sample) => sample.firstMs);
        const total = samples.map((sample) => sample.totalMs);
        entry[client.name] = { p50: percentile(first, 50), p95: percentile(first, 95), totalP50: percentile(total, 50) };
      }
      entry.addedP50 = entry.lodestar.p50 - entry.direct.p50;
      entry.addedP95 = entry.lodestar.p95 - entry.direct.p95;
      entry.addedTotalP50 = entry.lodestar.totalP50 - entry.direct.totalP50;
      streamRounds.push(entry);
      log(`  round ${round + 1}: first piece direct ${entry.direct.p50.toFixed(3)} ms, through the daemon ${entry.lodestar.p50.toFixed(3)} ms: +${entry.addedP50.toFixed(3)} ms p50, +${entry.addedP95.toFixed(3)} ms p95`);
    }
    result.stream = { ...summarizeRounds(streamRounds), addedTotalP50: spread(streamRounds.map((round) => round.addedTotalP50)) };
    for (const client of clients) client.close();
    result.background = backgroundLoad(machineAtStart, benchCpuAtStart, { ollama: double.pid, daemon: daemon.pid }, Date.now() - startedAt, cpus().length);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (options.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
  return { id: 'completions', title: 'Inline completions (fill-in-the-middle)', result, text: renderText(result), markdown: renderMarkdown(result) };
}

/** One request that must succeed: a failed one would time nothing real. */
async function timed(client, kind) {
  const answer = await client.send(kind);
  if (answer.status !== 200 || (kind === 'stream' && answer.firstMs === undefined)) throw new Error(`${client.name} (${kind}) answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  return answer;
}

const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });

function summarizeRounds(rounds) {
  return {
    rounds,
    direct: { p50: spread(rounds.map((round) => round.direct.p50)), p95: spread(rounds.map((round) => round.direct.p95)) },
    lodestar: { p50: spread(rounds.map((round) => round.lodestar.p50)), p95: spread(rounds.map((round) => round.lodestar.p95)) },
    addedP50: spread(rounds.map((round) => round.addedP50)),
    addedP95: spread(rounds.map((round) => round.addedP95)),
  };
}

/**
 * Before anything is timed: the daemon's completion is the double's text in OpenAI's
 * text_completion shape, plain and streamed; the double got from the daemon the very request
 * the direct client sends (prompt, suffix, no raw, num_ctx, keep_alive, num_predict); the ledger
 * has both as task complete, tool vscode, $0. Throws, listing all that is wrong.
 */
async function checkAnswers(direct, lodestar, doubleProcess, home) {
  const problems = [];
  const lastGenerate = () =>
    new Promise((resolve) => {
      doubleProcess.once('message', resolve);
      doubleProcess.send('last-generate');
    });
  const plain = await lodestar.send('plain');
  let object;
  try {
    object = JSON.parse(plain.body);
  } catch {
    // reported below
  }
  if (plain.status !== 200 || object?.object !== 'text_completion' || object.choices?.[0]?.text !== 'return a + b' || object.choices[0].finish_reason !== 'stop') problems.push(`plain: status ${plain.status}: ${plain.body.slice(0, 300)}`);
  const sent = (await lastGenerate()).body;
  const expected = JSON.stringify({ ...GENERATE, stream: false });
  const reordered = sent && JSON.stringify({ model: sent.model, prompt: sent.prompt, suffix: sent.suffix, keep_alive: sent.keep_alive, options: sent.options, stream: sent.stream });
  if (reordered !== JSON.stringify({ ...GENERATE, stream: false }) || 'raw' in sent) problems.push(`the daemon sent Ollama ${JSON.stringify(sent)}, not ${expected}`);
  const streamed = await lodestar.send('stream');
  const frames = [...streamed.body.matchAll(/^data: (.*)$/gm)].map((match) => match[1]);
  const text = frames.filter((frame) => frame !== '[DONE]').map((frame) => JSON.parse(frame).choices?.[0]?.text ?? '').join('');
  if (streamed.status !== 200 || text !== 'return a + b' || frames.at(-1) !== '[DONE]') problems.push(`stream: status ${streamed.status}: ${streamed.body.slice(0, 300)}`);
  const directAnswer = JSON.parse((await direct.send('plain')).body);
  if (directAnswer.response !== 'return a + b') problems.push(`direct: ${JSON.stringify(directAnswer).slice(0, 200)}`);
  await delay(300);
  const events = ledgerEvents(home).filter((event) => event.requestedModel === 'lodestar/complete');
  if (events.length !== 2 || events.some((event) => event.task !== 'complete' || event.tool !== 'vscode' || event.costUsd !== 0 || event.status !== 'ok' || event.model !== `ollama/${MODEL}`)) {
    problems.push(`the ledger has ${JSON.stringify(events.map((event) => ({ task: event.task, tool: event.tool, costUsd: event.costUsd, status: event.status, model: event.model })))}`);
  }
  if (problems.length) throw new Error(`the completions path answered wrongly, nothing timed:\n  ${problems.join('\n  ')}`);
  return { bytes: plain.body.length, frames: frames.length, ledger: events.map((event) => ({ stream: event.stream, usage: event.usage, overheadMs: event.overheadMs })) };
}

function ledgerEvents(home) {
  const directory = join(home, 'ledger');
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith('.jsonl'))
    .flatMap((file) => readFileSync(join(directory, file), 'utf8').split('\n'))
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}

const ms = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(3)} ms`;

function verdicts(result) {
  const { plain } = result;
  return [
    {
      target: `a completion through the daemon adds <= ${TARGETS.addedP50Ms} ms at p50 over the same request straight to Ollama (non-streamed, concurrency 1)`,
      measured: `${ms(plain.addedP50.median)} p50 (per round ${plain.addedP50.min.toFixed(3)} to ${plain.addedP50.max.toFixed(3)}), ${ms(plain.addedP95.median)} p95; direct p50 ${plain.direct.p50.median.toFixed(3)} ms, through the daemon ${plain.lodestar.p50.median.toFixed(3)} ms`,
      met: plain.addedP50.median <= TARGETS.addedP50Ms,
    },
  ];
}

function extras(result) {
  const { stream, plain } = result;
  return [
    `p95 non-streamed: direct ${plain.direct.p95.median.toFixed(3)} ms, through the daemon ${plain.lodestar.p95.median.toFixed(3)} ms`,
    `streamed, to the first piece of text: direct ${stream.direct.p50.median.toFixed(3)} ms, through the daemon ${stream.lodestar.p50.median.toFixed(3)} ms: ${ms(stream.addedP50.median)} p50 (per round ${stream.addedP50.min.toFixed(3)} to ${stream.addedP50.max.toFixed(3)}), ${ms(stream.addedP95.median)} p95; to the end of the stream ${ms(stream.addedTotalP50.median)} p50`,
  ];
}

function renderText(result) {
  return [...verdicts(result).map((entry) => `${entry.met ? 'met    ' : 'NOT met'} ${entry.target}: ${entry.measured}`), ...extras(result).map((line) => `  (${line})`)].join('\n');
}

function renderMarkdown(result) {
  return [
    '## Inline completions (fill-in-the-middle)',
    '',
    `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, Lodestar ${result.lodestar}, by \`npm run bench -- completions\` (bench/completions.js). The Ollama double (test/doubles/ollama-double.ts) runs in a process of its own (bench/ollama-double-server.js) with one model, \`${MODEL}\` (capability \`insert\`), loaded once and answering every generation at once ("return a + b" in 3 pieces); the daemon, started by \`lodestar start\`, has the response cache off and no warm-up. Before timing, the bench checks that the daemon answers \`lodestar/complete\` with the double's text in OpenAI's \`text_completion\` shape, plain and streamed, that the double got from the daemon the very \`/api/generate\` request the direct client sends (prefix as \`prompt\`, \`suffix\`, not raw, \`num_ctx\` 8192, \`keep_alive\` 30m, \`num_predict\` 128), and that the ledger has both as task \`complete\`, tool \`vscode\`, $0. Then ${result.plan.rounds} interleaved rounds of ${result.plan.perRound} non-streamed requests per target at concurrency 1 (the daemon's p50 and p95 less the direct ones of the same round; the median across rounds), and ${result.plan.streamRounds} rounds of ${result.plan.streamPerRound} streamed ones, timed to the first piece of text.`,
    '',
    ...(result.background ? [`While it ran (${result.background.seconds.toFixed(0)} s), other work on this shared ${cpus().length}-core machine took ${(result.background.otherShare * 100).toFixed(0)}% of its CPU time and the hypervisor ${(result.background.stealShare * 100).toFixed(1)}%.`, ''] : []),
    '| target | measured | |',
    '| --- | --- | --- |',
    ...verdicts(result).map((entry) => `| ${entry.target} | ${entry.measured} | ${entry.met ? 'met' : '**not met**'} |`),
    '',
    'Also measured, with no target:',
    '',
    ...extras(result).map((line) => `- ${line}`),
  ].join('\n');
}
