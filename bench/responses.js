// OpenAI's Responses API through Lodestar (POST /v1/responses), in one run on this machine:
// 1. What the daemon adds to a non-streamed request at concurrency 1 (p50), side by side: Chat
//    Completions to an OpenAI-shaped upstream, Responses passed through to OpenAI's /responses,
//    and (for reference) Responses translated to a Chat Completions provider (DeepSeek); all the
//    upstreams are the same cheap fake (bench/fake-upstream.js), and each "added" is the daemon's
//    time less the direct one, per round, interleaved.
// 2. Streamed: the time to the first output_text.delta of a Responses stream the daemon
//    translates from DeepSeek's Chat Completions stream, against the first content chunk of that
//    Chat Completions stream straight from the upstream; and (for reference) of a passed-through
//    Responses stream against the same stream direct.
// 3. Translation: a provider's 200-chunk Chat Completions stream turned into Responses events
//    by the daemon's converter (dist/src/providers/responses), in-process, per whole stream.
//
// runResponsesBench(options) -> { id, title, result, text, markdown }
// options: { quick, cpuProf, keep, log, plan }; cpuProf runs the daemon under --cpu-prof and
// adds where its CPU time went to the text (the temporary folder is then kept).
import http from 'node:http';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { backgroundLoad, measureLatency } from './gateway-measure.js';
import { machineInfo, ROOT, sanitizedEnv, startLodestar, startUpstream } from './gateway-targets.js';
import { chatStream } from './lib/chat-chunks.js';
import { renderProfileText, summarizeCpuProfile } from './lib/cpuprofile.js';
import { get, Target } from './lib/http-client.js';
import { machineCpuMs, registerCleanup } from './lib/processes.js';
import { max, median, min, rotate } from './lib/stats.js';

export const TARGETS = { passThroughAboveChatMs: 0.1, firstEventLaterMs: 1, translate200Ms: 2 };
const PLAN = { latencyWarmup: 1000, latencyRounds: 7, latencyPerRound: 300, streamWarmup: 300, streamRounds: 7, streamPerRound: 200, translateRuns: 2000 };
const QUICK = { latencyWarmup: 200, latencyRounds: 3, latencyPerRound: 100, streamWarmup: 50, streamRounds: 3, streamPerRound: 50, translateRuns: 300 };
const DEEPSEEK_KEY = 'bench-deepseek-key-0000000000';
/** OpenAI's model for the pass-through: a catalog model of provider openai, as the upstream names it. */
const OPENAI_MODEL = 'gpt-5';
/** A model of a Chat Completions provider: the daemon translates Responses requests for it. */
const DEEPSEEK_MODEL = 'deepseek-flash';
/** What marks the first content event of each kind of stream (a chunk with text, not a role chunk with ""), and what ends it. */
const MARKS = { chat: { first: /"content":"[^"]/, end: 'data: [DONE]' }, responses: { first: /event: response\.output_text\.delta\n/, end: 'event: response.completed\n' } };

/** A Responses request target: what Codex would send for a one-line question, in miniature. */
class ResponsesTarget extends Target {
  constructor(options) {
    super({ ...options, path: options.path ?? '/v1/responses' });
    const body = (stream) => ({ model: options.model, instructions: 'You are a helpful assistant.', input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello.' }] }], store: false, ...(stream ? { stream: true } : {}) });
    this.bodies = { plain: Buffer.from(JSON.stringify(body(false))), stream: Buffer.from(JSON.stringify(body(true))) };
  }
}

export async function runResponsesBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const work = mkdtempSync(join(tmpdir(), 'lodestar-responses-bench-'));
  const keepWork = options.keep || options.cpuProf;
  const forgetWork = registerCleanup('responses bench temp dir', () => {
    if (!keepWork) rmSync(work, { recursive: true, force: true });
  });
  const env = sanitizedEnv();
  const result = { date: new Date().toISOString(), node: process.version, lodestar: machineInfo().lodestar, plan };
  const stops = [];
  let daemon;
  try {
    const upstream = await startUpstream({ env, work });
    stops.push(upstream.stop);
    daemon = await startLodestar({ env, work, cpuProf: Boolean(options.cpuProf), upstreamPort: upstream.port, result, extraEnv: { DEEPSEEK_BASE_URL: `http://127.0.0.1:${upstream.port}/v1`, DEEPSEEK_API_KEY: DEEPSEEK_KEY } });
    stops.push(daemon.stop);
    const token = { authorization: `Bearer ${daemon.token}` };
    const openAIKey = { authorization: 'Bearer sk-bench-0000000000000000' };
    // The machine is shared: how much of it other work took while this ran says how far to trust the spread.
    const startedAt = Date.now();
    const machineAtStart = machineCpuMs();
    const benchCpuAtStart = process.cpuUsage();

    // Each format: direct to the upstream, and through the daemon.
    const formats = {
      chat: [new Target({ name: 'direct', port: upstream.port, model: 'gpt-4o-mini', headers: openAIKey }), new Target({ name: 'lodestar', port: daemon.port, model: 'openai/gpt-4o-mini', headers: token })],
      responses: [new ResponsesTarget({ name: 'direct', port: upstream.port, model: OPENAI_MODEL, headers: openAIKey }), new ResponsesTarget({ name: 'lodestar', port: daemon.port, model: `openai/${OPENAI_MODEL}`, headers: token })],
      translated: [new Target({ name: 'direct', port: upstream.port, model: DEEPSEEK_MODEL, headers: { authorization: `Bearer ${DEEPSEEK_KEY}` } }), new ResponsesTarget({ name: 'lodestar', port: daemon.port, model: `deepseek/${DEEPSEEK_MODEL}`, headers: token })],
    };
    log('checks: the pass-through is byte for byte, the translation is whole, the ledger has the usage');
    result.checks = await checkAnswers(formats, upstream.port, daemon.home);

    log('latency c1: chat completions, responses passed through to openai, responses translated to deepseek (each direct and through the daemon), interleaved');
    const rounds = [];
    for (let round = 0; round < plan.latencyRounds; round++) {
      const entry = {};
      for (const [format, targets] of rotate(Object.entries(formats), round)) {
        const measured = await measureLatency(targets, { latencyWarmup: round === 0 ? plan.latencyWarmup : 50, latencyRounds: 1, latencyPerRound: plan.latencyPerRound }, () => {});
        entry[format] = measured.added.lodestar.p50.median;
        entry[`${format}Direct`] = measured.perTarget.direct.p50.median;
      }
      rounds.push(entry);
      log(`  round ${round + 1}: chat +${entry.chat.toFixed(3)} ms, responses pass-through +${entry.responses.toFixed(3)} ms, translated +${entry.translated.toFixed(3)} ms`);
    }
    const across = (key) => spread(rounds.map((round) => round[key]));
    result.latency = {
      rounds,
      chatAdded: across('chat'),
      responsesAdded: across('responses'),
      translatedAdded: across('translated'),
      direct: { chat: across('chatDirect'), responses: across('responsesDirect') },
      difference: spread(rounds.map((round) => round.responses - round.chat)),
    };

    log('streams: time to the first content event, direct and through the daemon (translated from deepseek; passed through from openai)');
    // The same model's Chat Completions stream through the daemon: what translating adds on top.
    const chatDaemon = new Target({ name: 'lodestar', port: daemon.port, model: `deepseek/${DEEPSEEK_MODEL}`, headers: token });
    const streamTargets = [
      { name: 'chatDirect', target: formats.translated[0], marks: MARKS.chat },
      { name: 'translated', target: formats.translated[1], marks: MARKS.responses },
      { name: 'chatDaemon', target: chatDaemon, marks: MARKS.chat },
      { name: 'responsesDirect', target: formats.responses[0], marks: MARKS.responses },
      { name: 'passThrough', target: formats.responses[1], marks: MARKS.responses },
    ];
    result.stream = await measureFirstEvents(streamTargets, plan);
    log(`  first content event: chat direct ${result.stream.chatDirect.median.toFixed(3)} ms, chat through the daemon ${result.stream.chatDaemon.median.toFixed(3)} ms, translated ${result.stream.translated.median.toFixed(3)} ms (+${result.stream.translatedLater.median.toFixed(3)}); responses direct ${result.stream.responsesDirect.median.toFixed(3)} ms, passed through ${result.stream.passThrough.median.toFixed(3)} ms (+${result.stream.passThroughLater.median.toFixed(3)})`);
    for (const target of [...Object.values(formats).flat(), chatDaemon]) target.close();
    result.background = backgroundLoad(machineAtStart, benchCpuAtStart, { upstream: upstream.pid, daemon: daemon.pid }, Date.now() - startedAt, cpus().length);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    if (options.cpuProf && daemon) result.cpuProfile = readProfile(daemon);
    if (!keepWork) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
    forgetWork();
  }
  log(`translation: ${plan.translateRuns} streams of 200 chunks through the converter`);
  result.translate = await measureTranslation(plan.translateRuns);
  log(`  ${result.translate.msPerStream.median.toFixed(3)} ms a stream`);
  const text = result.cpuProfile ? `${renderText(result)}\n\n${renderProfileText(result.cpuProfile)}` : renderText(result);
  return { id: 'responses', title: "OpenAI's Responses API", result, text, markdown: renderMarkdown(result) };
}

/** The daemon's own CPU profile (not that of `lodestar start`, which the same NODE_OPTIONS profile too). */
function readProfile(daemon) {
  const file = readdirSync(daemon.profileDir).find((name) => name.includes(`.${daemon.pid}.`) && name.endsWith('.cpuprofile'));
  return file ? { path: join(daemon.profileDir, file), ...summarizeCpuProfile(join(daemon.profileDir, file), { root: ROOT }) } : { error: 'no profile was written' };
}

const spread = (values) => ({ median: median(values), min: min(values), max: max(values) });

/**
 * Before anything is timed: the passed-through answer is the upstream's, byte for byte, plain
 * and streamed; the upstream saw OpenAI's model name and key, or DeepSeek's; the translated
 * answers are whole (the text, every delta, response.completed with usage); and the ledger has
 * each request's usage, read on the side. Throws, listing all that is wrong.
 */
async function checkAnswers(formats, upstreamPort, home) {
  const problems = [];
  // The upstream tells the first 10 characters of the key it saw.
  const seen = async () => JSON.parse((await get(upstreamPort, '/__stats')).body).last;
  const [responsesDirect, passThrough] = formats.responses;
  const [, translated] = formats.translated;

  const directPlain = await send(responsesDirect, 'plain');
  const passedPlain = await send(passThrough, 'plain');
  const upstreamSaw = await seen();
  if (passedPlain.status !== 200) problems.push(`pass-through: status ${passedPlain.status}: ${passedPlain.body.slice(0, 300)}`);
  else if (passedPlain.body !== directPlain.body) problems.push(`pass-through: the answer is not the upstream's byte for byte: ${passedPlain.body.slice(0, 300)}`);
  if (upstreamSaw.model !== OPENAI_MODEL) problems.push(`pass-through: the upstream saw model ${JSON.stringify(upstreamSaw.model)}`);
  if (!upstreamSaw.authorization?.startsWith('Bearer sk')) problems.push('pass-through: the upstream saw no OpenAI key');
  const directStream = await send(responsesDirect, 'stream');
  const passedStream = await send(passThrough, 'stream');
  if (passedStream.body !== directStream.body) problems.push(`pass-through stream: not the upstream's bytes (${passedStream.body.length} bytes against ${directStream.body.length}): ${passedStream.body.slice(0, 200)}`);

  const translatedPlain = await send(translated, 'plain');
  const translatedSaw = await seen();
  let object;
  try {
    object = JSON.parse(translatedPlain.body);
  } catch {
    // reported below
  }
  if (translatedPlain.status !== 200 || object?.output_text !== 'Hello from the fake upstream.') problems.push(`translated: status ${translatedPlain.status}: ${translatedPlain.body.slice(0, 300)}`);
  if (translatedSaw.model !== DEEPSEEK_MODEL || !translatedSaw.authorization?.startsWith(`Bearer ${DEEPSEEK_KEY}`.slice(0, 10))) problems.push(`translated: the upstream saw model ${JSON.stringify(translatedSaw.model)} and key ${translatedSaw.authorization}`);
  const translatedStream = await send(translated, 'stream');
  const events = [...translatedStream.body.matchAll(/^data: (.*)$/gm)].map((match) => JSON.parse(match[1]));
  const deltas = events.filter((event) => event.type === 'response.output_text.delta').length;
  const last = events.at(-1);
  if (translatedStream.status !== 200 || events[0]?.type !== 'response.created' || deltas !== 20 || last?.type !== 'response.completed' || last.response.usage?.output_tokens !== 20) {
    problems.push(`translated stream: status ${translatedStream.status}, ${events.length} events, ${deltas} text deltas, ending ${JSON.stringify(last ?? null).slice(0, 300)}`);
  }
  if (events.some((event, index) => event.sequence_number !== index)) problems.push('translated stream: sequence numbers are not 0, 1, 2, ...');

  // Give the ledger's file a moment to take the last line.
  await delay(500);
  // The upstream's usage: Responses 12 in, 84 out of which 64 reasoning; Chat Completions 12 in, 20 out.
  const expected = { [`openai/${OPENAI_MODEL}`]: { inputTokens: 12, cachedInputTokens: 0, outputTokens: 84, reasoningTokens: 64 }, [`deepseek/${DEEPSEEK_MODEL}`]: { inputTokens: 12, outputTokens: 20 } };
  const ledger = ledgerEvents(home).filter((event) => expected[event.requestedModel]);
  if (ledger.length !== 4) problems.push(`the ledger has ${ledger.length} of the 4 Responses requests`);
  for (const event of ledger) {
    const want = expected[event.requestedModel];
    const wrong = Object.keys(want).filter((key) => event.usage?.[key] !== want[key]);
    if (event.status !== 'ok' || wrong.length) problems.push(`ledger: ${event.requestedModel}${event.stream ? ' streamed' : ''} is ${event.status} with usage ${JSON.stringify(event.usage)}`);
  }
  if (problems.length) throw new Error(`the Responses path answered wrongly, nothing timed:\n  ${problems.join('\n  ')}`);
  return { passThroughBytes: passedPlain.body.length, passThroughStreamBytes: passedStream.body.length, translatedEvents: events.length, ledger: ledger.map((event) => ({ model: event.model, stream: event.stream, usage: event.usage, overheadMs: event.overheadMs })) };
}

/** The ledger's events so far (LODESTAR_HOME/ledger/*.jsonl). */
function ledgerEvents(home) {
  const directory = join(home, 'ledger');
  if (!existsSync(directory)) return [];
  const events = [];
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        events.push(JSON.parse(line));
      } catch {
        // a line being written
      }
    }
  }
  return events;
}

/** One request, its whole answer kept. */
function send(target, kind) {
  return new Promise((resolve, reject) => {
    const request = http.request(target.options(kind), (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(target.bodies[kind]);
  });
}

/**
 * Per round, each target's median time to its first content event (and to the end of the
 * stream); per round, translated less chat direct and passed through less responses direct.
 */
async function measureFirstEvents(entries, plan) {
  for (const entry of entries) for (let index = 0; index < plan.streamWarmup; index++) await firstEvent(entry);
  const first = Object.fromEntries(entries.map((entry) => [entry.name, []]));
  const total = Object.fromEntries(entries.map((entry) => [entry.name, []]));
  const translatedLater = [];
  const chatDaemonLater = [];
  const passThroughLater = [];
  for (let round = 0; round < plan.streamRounds; round++) {
    const medians = {};
    for (const entry of rotate(entries, round)) {
      const samples = [];
      for (let index = 0; index < plan.streamPerRound; index++) samples.push(await firstEvent(entry));
      medians[entry.name] = median(samples.map((sample) => sample.first));
      first[entry.name].push(medians[entry.name]);
      total[entry.name].push(median(samples.map((sample) => sample.total)));
    }
    translatedLater.push(medians.translated - medians.chatDirect);
    chatDaemonLater.push(medians.chatDaemon - medians.chatDirect);
    passThroughLater.push(medians.passThrough - medians.responsesDirect);
  }
  const out = { translatedLater: spread(translatedLater), chatDaemonLater: spread(chatDaemonLater), passThroughLater: spread(passThroughLater), totals: {} };
  for (const entry of entries) {
    out[entry.name] = spread(first[entry.name]);
    out.totals[entry.name] = spread(total[entry.name]);
  }
  return out;
}

/** Time to the first content event of one stream, and to its end; a stream that does not end as it should fails. */
function firstEvent({ target, marks }) {
  const options = target.options('stream');
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first;
    // The end of what came so far: a mark split across two reads is still seen.
    let tail = '';
    let sawEnd = false;
    const request = http.request(options, (response) => {
      response.setEncoding('utf8');
      response.on('data', (text) => {
        const seen = tail + text;
        if (first === undefined && marks.first.test(seen)) first = Number(process.hrtime.bigint() - start) / 1e6;
        if (!sawEnd && seen.includes(marks.end)) sawEnd = true;
        tail = seen.slice(-64);
      });
      response.on('end', () => {
        const total = Number(process.hrtime.bigint() - start) / 1e6;
        if (first === undefined || !sawEnd) reject(new Error(`${target.name} (${target.path}): ${first === undefined ? 'no content event' : 'no proper end'} (status ${response.statusCode}): ${tail}`));
        else resolve({ first, total });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(target.bodies.stream);
  });
}

/**
 * The daemon's converter over a 200-chunk Chat Completions stream (a role chunk, 181 text
 * deltas, two tool calls in 8 fragments each, the finish and usage chunks), in this process, with
 * the context the daemon gives it: the client's request and the tools' names from responsesToChat.
 */
async function measureTranslation(runs) {
  const module = (name) => import(pathToFileURL(join(ROOT, 'dist', 'src', 'providers', 'responses', `${name}.js`)).href);
  const { ChatStreamToResponses } = await module('chat-stream-to-responses');
  const { responsesToChat } = await module('responses-to-chat');
  const request = {
    model: `deepseek/${DEEPSEEK_MODEL}`,
    instructions: 'You are a coding agent.',
    input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Read the two files and explain them.' }] }],
    tools: [{ type: 'function', name: 'Read', description: 'Read a file', parameters: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] }, strict: false }],
    store: false,
    stream: true,
  };
  const context = { model: request.model, request, tools: responsesToChat(request, DEEPSEEK_MODEL).tools };
  const chunks = chatStream(DEEPSEEK_MODEL, 181);
  const times = [];
  let frames = [];
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const converter = new ChatStreamToResponses(context);
    const written = [];
    for (const chunk of chunks) for (const frame of converter.push(chunk)) written.push(frame);
    for (const frame of converter.end()) written.push(frame);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    frames = written;
  }
  // What the last run wrote is a whole, well-formed answer: otherwise its time means nothing.
  const events = frames.map((frame) => JSON.parse(frame.slice(frame.indexOf('data: ') + 6)));
  const completed = events.at(-1);
  const calls = completed?.response?.output?.filter((item) => item.type === 'function_call') ?? [];
  if (completed?.type !== 'response.completed' || calls.length !== 2 || calls[0].arguments !== '{"file_path":"part1part2part3part4part5.py"}' || completed.response.usage?.input_tokens_details?.cached_tokens !== 800) {
    throw new Error(`the converter's answer is not what the chunks say: ${JSON.stringify(completed).slice(0, 400)}`);
  }
  return { chunks: chunks.length, frames: frames.length, bytes: frames.reduce((sum, frame) => sum + frame.length, 0), msPerStream: spread(times.slice(Math.floor(runs / 10))) };
}

const sign = (value) => `${value >= 0 ? '+' : ''}${value.toFixed(3)}`;

function verdicts(result) {
  const { latency, stream, translate } = result;
  return [
    {
      target: `pass-through to OpenAI's /responses adds <= the Chat Completions endpoint's overhead + ${TARGETS.passThroughAboveChatMs} ms (p50, c1)`,
      measured: `responses +${latency.responsesAdded.median.toFixed(3)} ms, chat completions +${latency.chatAdded.median.toFixed(3)} ms: ${sign(latency.difference.median)} ms (per round ${latency.difference.min.toFixed(3)} to ${latency.difference.max.toFixed(3)})`,
      met: latency.difference.median <= TARGETS.passThroughAboveChatMs,
    },
    {
      target: `first translated stream event <= ${TARGETS.firstEventLaterMs} ms later than direct`,
      measured: `${stream.translatedLater.median.toFixed(3)} ms later (deepseek's chat stream direct ${stream.chatDirect.median.toFixed(3)} ms, translated by the daemon ${stream.translated.median.toFixed(3)} ms; per round ${stream.translatedLater.min.toFixed(3)} to ${stream.translatedLater.max.toFixed(3)})`,
      met: stream.translatedLater.median <= TARGETS.firstEventLaterMs,
    },
    {
      target: `translating a 200-event stream costs <= ${TARGETS.translate200Ms} ms in all`,
      measured: `${translate.msPerStream.median.toFixed(3)} ms for ${translate.chunks} chunks into ${translate.frames} events (p50 of the runs; ${translate.msPerStream.max.toFixed(3)} ms at most)`,
      met: translate.msPerStream.median <= TARGETS.translate200Ms,
    },
  ];
}

/** What was measured besides the targets, for reference. */
function extras(result) {
  const { latency, stream } = result;
  return [
    `non-streamed, translated to deepseek: +${latency.translatedAdded.median.toFixed(3)} ms (per round ${latency.translatedAdded.min.toFixed(3)} to ${latency.translatedAdded.max.toFixed(3)}); direct p50 chat ${latency.direct.chat.median.toFixed(3)} ms, responses ${latency.direct.responses.median.toFixed(3)} ms`,
    `streamed, the same deepseek model through the daemon's Chat Completions endpoint (no translation): first content chunk ${stream.chatDaemonLater.median.toFixed(3)} ms later than direct (${stream.chatDaemon.median.toFixed(3)} ms), so the translation's own share of the target's figure is ${sign(stream.translatedLater.median - stream.chatDaemonLater.median)} ms`,
    `streamed, passed through from openai: first output_text.delta ${stream.passThroughLater.median.toFixed(3)} ms later than direct (direct ${stream.responsesDirect.median.toFixed(3)} ms, through the daemon ${stream.passThrough.median.toFixed(3)} ms)`,
    `whole streams (to the last byte): chat direct ${stream.totals.chatDirect.median.toFixed(3)} ms, chat through the daemon ${stream.totals.chatDaemon.median.toFixed(3)} ms, translated ${stream.totals.translated.median.toFixed(3)} ms; responses direct ${stream.totals.responsesDirect.median.toFixed(3)} ms, passed through ${stream.totals.passThrough.median.toFixed(3)} ms`,
  ];
}

function renderText(result) {
  return [...verdicts(result).map((entry) => `${entry.met ? 'met    ' : 'NOT met'} ${entry.target}: ${entry.measured}`), ...extras(result).map((line) => `  (${line})`)].join('\n');
}

function renderMarkdown(result) {
  return [
    "## OpenAI's Responses API",
    '',
    `Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, Lodestar ${result.lodestar}, by \`npm run bench -- responses\` (bench/responses.js). One fake upstream (bench/fake-upstream.js) answers Chat Completions and Responses from memory (a Responses answer as gpt-5 gives it: a reasoning item, then the message; streamed, response.created to response.completed with 20 output_text.delta events and usage); the daemon has an OpenAI and a DeepSeek key pointing at it. Before timing, the bench checks that the passed-through answer is the upstream's byte for byte (${result.checks.passThroughBytes} bytes plain, ${result.checks.passThroughStreamBytes} streamed), that the translated ones are whole, and that the ledger has every request's usage. Latency: ${result.plan.latencyRounds} interleaved rounds of ${result.plan.latencyPerRound} requests per target at concurrency 1, each format's "added" being the daemon's p50 less the direct p50 of the same round: Chat Completions with \`openai/gpt-4o-mini\`, Responses with \`openai/${OPENAI_MODEL}\` (passed through), and Responses with \`deepseek/${DEEPSEEK_MODEL}\` (translated; direct is DeepSeek's Chat Completions). Streams: ${result.plan.streamRounds} rounds of ${result.plan.streamPerRound}, time to the first content event: the translated stream's first response.output_text.delta against the first content chunk of the same model's Chat Completions stream from the upstream. Translation: in-process, the daemon's converter with the context the daemon gives it, over a 200-chunk stream (181 text deltas, two tool calls in 8 fragments each, the finish and usage chunks).`,
    '',
    ...(result.background ? [`While it ran (${result.background.seconds.toFixed(0)} s), other work on this shared ${cpus().length}-core machine took ${(result.background.otherShare * 100).toFixed(0)}% of its CPU time (interrupt handling included) and the hypervisor ${(result.background.stealShare * 100).toFixed(1)}%${result.background.otherShare >= 0.1 ? ': rounds that met that work are slower, which is why the verdicts use the median across rounds' : ''}.`, ''] : []),
    '| target | measured | |',
    '| --- | --- | --- |',
    ...verdicts(result).map((entry) => `| ${entry.target} | ${entry.measured} | ${entry.met ? 'met' : '**not met**'} |`),
    '',
    'Also measured, with no target:',
    '',
    ...extras(result).map((line) => `- ${line}`),
  ].join('\n');
}
