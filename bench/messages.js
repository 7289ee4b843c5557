// Anthropic's Messages API through Lodestar (issue 14), in one run on this machine:
// 1. What the daemon adds to a non-streamed request at concurrency 1 (p50), on its two inbound
//    formats side by side: Chat Completions to an OpenAI-shaped upstream, and Messages passed
//    through to an Anthropic-shaped one; both upstreams are the same cheap fake
//    (bench/fake-upstream.js), and each "added" is the daemon's time less the direct one, per
//    round, interleaved.
// 2. Streamed: the time to the first content event, direct and through the daemon.
// 3. Translation: a provider's 200-chunk stream turned into Anthropic's events by the daemon's
//    converter (dist/src/providers/messages), in-process, per whole stream.
//
// runMessagesBench(options) -> { id, title, result, text, markdown }
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureLatency } from './gateway-measure.js';
import { machineInfo, ROOT, sanitizedEnv, startLodestar, startUpstream } from './gateway-targets.js';
import { Target } from './lib/http-client.js';
import { chatStream } from './lib/chat-chunks.js';
import { registerCleanup } from './lib/processes.js';
import { max, median, min, rotate } from './lib/stats.js';

export const TARGETS = { passThroughAboveChatMs: 0.1, firstEventLaterMs: 1, translate200Ms: 2, statuslineMs: 50 };
const PLAN = { latencyWarmup: 1000, latencyRounds: 7, latencyPerRound: 300, streamWarmup: 300, streamRounds: 7, streamPerRound: 200, translateRuns: 2000, statuslineRuns: 20 };
const QUICK = { latencyWarmup: 200, latencyRounds: 3, latencyPerRound: 100, streamWarmup: 50, streamRounds: 3, streamPerRound: 50, translateRuns: 300, statuslineRuns: 5 };
const ANTHROPIC_KEY = 'bench-anthropic-key-0000000000';

/** A Messages request target: Anthropic's body and headers. */
class MessagesTarget extends Target {
  constructor(options) {
    super({ ...options, path: options.path ?? '/v1/messages' });
    const body = (stream) => ({ model: options.model, max_tokens: 256, system: [{ type: 'text', text: 'You are a helpful assistant.', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'Say hello.' }], ...(stream ? { stream: true } : {}) });
    this.bodies = { plain: Buffer.from(JSON.stringify(body(false))), stream: Buffer.from(JSON.stringify(body(true))) };
    this.baseHeaders = { 'content-type': 'application/json', accept: 'application/json', 'anthropic-version': '2023-06-01', ...options.headers };
  }
}

export async function runMessagesBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const work = mkdtempSync(join(tmpdir(), 'lodestar-messages-bench-'));
  const forgetWork = registerCleanup('messages bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const env = sanitizedEnv();
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan };
  const stops = [];
  try {
    const upstream = await startUpstream({ env, work });
    stops.push(upstream.stop);
    const daemon = await startLodestar({ env, work, upstreamPort: upstream.port, result, extraEnv: { ANTHROPIC_BASE_URL: `http://127.0.0.1:${upstream.port}`, ANTHROPIC_API_KEY: ANTHROPIC_KEY } });
    stops.push(daemon.stop);
    const token = { authorization: `Bearer ${daemon.token}` };

    // Chat Completions: direct and through the daemon; then Messages: direct and passed through.
    const chat = [new Target({ name: 'direct', port: upstream.port, path: '/v1/chat/completions', model: 'gpt-4o-mini' }), new Target({ name: 'lodestar', port: daemon.port, model: 'openai/gpt-4o-mini', headers: token })];
    const messages = [new MessagesTarget({ name: 'direct', port: upstream.port, model: 'claude-sonnet-4-5', headers: { 'x-api-key': ANTHROPIC_KEY } }), new MessagesTarget({ name: 'lodestar', port: daemon.port, model: 'claude-sonnet-4-5', headers: token })];
    log('latency c1: chat completions (direct, daemon) and messages (direct, daemon pass-through), interleaved');
    const rounds = [];
    for (let round = 0; round < plan.latencyRounds; round++) {
      const entry = {};
      for (const [format, targets] of rotate([['chat', chat], ['messages', messages]], round)) {
        const measured = await measureLatency(targets, { latencyWarmup: round === 0 ? plan.latencyWarmup : 50, latencyRounds: 1, latencyPerRound: plan.latencyPerRound }, () => {});
        entry[format] = measured.added.lodestar.p50.median;
      }
      rounds.push(entry);
      log(`  round ${round + 1}: chat +${entry.chat.toFixed(3)} ms, messages +${entry.messages.toFixed(3)} ms`);
    }
    result.latency = { rounds, chatAdded: spread(rounds.map((round) => round.chat)), messagesAdded: spread(rounds.map((round) => round.messages)), difference: spread(rounds.map((round) => round.messages - round.chat)) };

    log('status line: `lodestar statusline` for a session of 50 requests, against a bare `node -e 0`');
    result.statusline = await measureStatusLine(daemon, messages[1], plan);
    log(`  ${result.statusline.ms.median.toFixed(1)} ms (node alone ${result.statusline.nodeMs.median.toFixed(1)} ms)`);

    log('streams: time to the first content event, direct and through the daemon');
    result.stream = await measureFirstEvent(messages, plan);
    log(`  first content event: direct ${result.stream.direct.median.toFixed(3)} ms, daemon ${result.stream.lodestar.median.toFixed(3)} ms`);
    for (const target of [...chat, ...messages]) target.close();
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
  log(`translation: ${plan.translateRuns} streams of 200 chunks through the converter`);
  result.translate = await measureTranslation(plan.translateRuns);
  log(`  ${result.translate.msPerStream.median.toFixed(3)} ms a stream`);
  return { id: 'messages', title: "Anthropic's Messages API (issue 14)", result, text: renderText(result), markdown: renderMarkdown(result) };
}

const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });

/**
 * What Claude Code waits for after each message: the whole `lodestar statusline` command as
 * `lodestar claude` sets it up (a new process, JSON on stdin, the session and where the ledger
 * stood when it began), for a session of 50 requests after thousands of others, with the daemon
 * up; and a bare Node start, the floor of any command written in Node.
 */
async function measureStatusLine(daemon, target, plan) {
  const { spawnSync } = await import('node:child_process');
  const session = 'bench-statusline-session';
  const headers = { ...target.baseHeaders, 'x-lodestar-session': session };
  // Where the ledger stood when the session began, as `lodestar claude` passes it: the status
  // line reads the session's part of the month, not the thousands of requests the bench sent before.
  const { readdirSync, statSync } = await import('node:fs');
  const ledger = join(daemon.home, 'ledger');
  const since = readdirSync(ledger).filter((name) => /^\d{4}-\d{2}\.jsonl$/.test(name)).map((name) => `${name.slice(0, 7)}:${statSync(join(ledger, name)).size}`).join(',') || 'start';
  for (let index = 0; index < 50; index++) {
    await new Promise((resolve, reject) => {
      const request = http.request({ ...target.options('plain'), headers: { ...headers, 'content-length': String(target.bodies.plain.length) } }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      request.on('error', reject);
      request.end(target.bodies.plain);
    });
  }
  const env = { ...process.env, LODESTAR_HOME: daemon.home };
  const input = JSON.stringify({ session_id: session, model: { id: 'claude-sonnet-4-5', display_name: 'Sonnet 4.5' } });
  const time = (args) => {
    const started = performance.now();
    const run = spawnSync(process.execPath, args, { env, input, encoding: 'utf8' });
    return { ms: performance.now() - started, out: run.stdout };
  };
  const bin = join(ROOT, 'bin', 'lodestar');
  const args = [bin, 'statusline', '--session', session, '--since', since];
  for (let index = 0; index < 3; index++) time(args); // Node's compile cache filled
  const runs = [];
  const bare = [];
  let line = '';
  for (let index = 0; index < plan.statuslineRuns; index++) {
    const run = time(args);
    runs.push(run.ms);
    line = run.out.trim();
    bare.push(time(['-e', '0']).ms);
  }
  if (!line.includes('50 requests')) throw new Error(`the status line did not count the session: ${JSON.stringify(line)}`);
  return { ms: spread(runs), nodeMs: spread(bare), line };
}

/** Per round, each target's median time to the first content_block_delta of a streamed Message. */
async function measureFirstEvent(targets, plan) {
  for (const target of targets) for (let index = 0; index < plan.streamWarmup; index++) await firstEvent(target);
  const perTarget = Object.fromEntries(targets.map((target) => [target.name, []]));
  const later = [];
  for (let round = 0; round < plan.streamRounds; round++) {
    const entry = {};
    for (const target of rotate(targets, round)) {
      const samples = [];
      for (let index = 0; index < plan.streamPerRound; index++) samples.push(await firstEvent(target));
      entry[target.name] = median(samples);
      perTarget[target.name].push(entry[target.name]);
    }
    later.push(entry.lodestar - entry.direct);
  }
  return { direct: spread(perTarget.direct), lodestar: spread(perTarget.lodestar), later: spread(later) };
}

function firstEvent(target) {
  const options = target.options('stream');
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first;
    const request = http.request(options, (response) => {
      response.setEncoding('utf8');
      response.on('data', (text) => {
        if (first === undefined && text.includes('content_block_delta')) first = Number(process.hrtime.bigint() - start) / 1e6;
      });
      response.on('end', () => (first === undefined ? reject(new Error(`${target.name}: no content event (status ${response.statusCode})`)) : resolve(first)));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(target.bodies.stream);
  });
}

/** The daemon's converter over a 200-chunk OpenAI stream (text, then two tool calls, usage), in this process. */
async function measureTranslation(runs) {
  const { ChatStreamToMessages } = await import(pathToFileURL(join(ROOT, 'dist', 'src', 'providers', 'messages', 'chat-stream-to-messages.js')).href);
  const chunks = chatStream('gpt-4o-mini', 180);
  const times = [];
  let frames = 0;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const converter = new ChatStreamToMessages({ model: 'deepseek/deepseek-flash' });
    let written = 0;
    for (const chunk of chunks) written += converter.push(chunk).length;
    written += converter.end().length;
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    frames = written;
  }
  return { chunks: chunks.length, frames, msPerStream: spread(times.slice(Math.floor(runs / 10))) };
}

function verdicts(result) {
  return [
    {
      target: `pass-through to Anthropic adds <= the OpenAI endpoint's overhead + ${TARGETS.passThroughAboveChatMs} ms (p50, c1)`,
      measured: `messages +${result.latency.messagesAdded.median.toFixed(3)} ms, chat completions +${result.latency.chatAdded.median.toFixed(3)} ms: ${result.latency.difference.median >= 0 ? '+' : ''}${result.latency.difference.median.toFixed(3)} ms (per round ${result.latency.difference.min.toFixed(3)} to ${result.latency.difference.max.toFixed(3)})`,
      met: result.latency.difference.median <= TARGETS.passThroughAboveChatMs,
    },
    {
      target: `first streamed event <= ${TARGETS.firstEventLaterMs} ms later than direct`,
      measured: `${result.stream.later.median.toFixed(3)} ms later (direct ${result.stream.direct.median.toFixed(3)} ms, through the daemon ${result.stream.lodestar.median.toFixed(3)} ms)`,
      met: result.stream.later.median <= TARGETS.firstEventLaterMs,
    },
    {
      target: `lodestar statusline <= ${TARGETS.statuslineMs} ms`,
      measured: `${result.statusline.ms.median.toFixed(1)} ms median (${result.statusline.ms.min.toFixed(1)}-${result.statusline.ms.max.toFixed(1)}), of which a bare Node start is ${result.statusline.nodeMs.median.toFixed(1)} ms here: "${result.statusline.line}"`,
      met: result.statusline.ms.median <= TARGETS.statuslineMs,
    },
    {
      target: `translating a 200-event stream costs <= ${TARGETS.translate200Ms} ms in all`,
      measured: `${result.translate.msPerStream.median.toFixed(3)} ms for ${result.translate.chunks} chunks into ${result.translate.frames} events (p50 of the runs; ${result.translate.msPerStream.max.toFixed(3)} ms at most)`,
      met: result.translate.msPerStream.median <= TARGETS.translate200Ms,
    },
  ];
}

function renderText(result) {
  return verdicts(result).map((entry) => `${entry.met ? 'met    ' : 'NOT met'} ${entry.target}: ${entry.measured}`).join('\n');
}

function renderMarkdown(result) {
  return [
    "## Anthropic's Messages API (issue 14)",
    '',
    `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, by \`npm run bench -- messages\` (bench/messages.js). One fake upstream (bench/fake-upstream.js) answers both Chat Completions and Messages from memory; the daemon has an OpenAI and an Anthropic key pointing at it. Latency: ${result.plan.latencyRounds} interleaved rounds of ${result.plan.latencyPerRound} requests per target at concurrency 1, each format's "added" being the daemon's p50 less the direct p50 of the same round. Streams: ${result.plan.streamRounds} rounds of ${result.plan.streamPerRound}, time to the first content_block_delta. Translation: in-process, the daemon's converter over a 200-chunk stream (180 text deltas, two tool calls in 7 fragments each, the finish and usage chunks).`,
    '',
    '| target | measured | |',
    '| --- | --- | --- |',
    ...verdicts(result).map((entry) => `| ${entry.target} | ${entry.measured} | ${entry.met ? 'met' : '**not met**'} |`),
  ].join('\n');
}
