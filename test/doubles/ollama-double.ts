import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { goJsonSyntaxError, goJsonTypeName } from './go-json.js';
import { fieldTypeError, generateInput, nonEmpty, registryName, type Kind } from './ollama-request-checks.js';
import { sendJson, sendText, startHttpDouble, writeChunk, type DoubleExchange } from './http-double.js';
import { OllamaGpu, type LoadedModel, type ModelLoad } from './ollama-gpu-model.js';
import { sampleOf } from './json-schema-sample.js';
import {
  DEFAULT_MODELS,
  details,
  formatGoTime,
  JSON_TYPE,
  metricsFields,
  MIB,
  NDJSON_TYPE,
  ndjsonLine,
  normalizeModelName,
  OLLAMA_VERSION,
  parseKeepAlive,
  preciseNow,
  showBody,
  tagEntry,
  toCatalog,
  type CatalogModel,
  type OllamaModelSpec,
} from './ollama-wire.js';
import {
  BehaviourQueue,
  DEFAULT_BEHAVIOUR,
  echoText,
  isRecord,
  pauseBetweenChunks,
  planReply,
  replyPieces,
  sleep,
  summarizeMessages,
  untilAborted,
  type Double,
  type FaultBehaviour,
  type PlannedReply,
  type ReplyBehaviour,
  type ReplyPiece,
  doubleOf,
} from './scenario.js';

export type { LoadedModel, ModelLoad } from './ollama-gpu-model.js';
export type { OllamaModelSpec } from './ollama-wire.js';

export interface OllamaDoubleOptions {
  port?: number;
  models?: OllamaModelSpec[];
  /** Total VRAM; default 4 GiB (a T600, ollama-gpu.md section 8). */
  vramBytes?: number;
  /** What Ollama may fill; default vram - 378 MiB driver reserve - 457 MiB Ollama minimum (section 4). */
  usableVramBytes?: number;
  /** Simulated load time per GiB of loaded size; default 200 ms (real: ~1-3 s per model, section 5). */
  loadMsPerGiB?: number;
  /** OLLAMA_KEEP_ALIVE; default '5m'. Same syntax as the keep_alive field. */
  defaultKeepAlive?: string | number;
  /** Multiplies every simulated wait (loads, keep_alive expiry); default 1. */
  timeScale?: number;
  /**
   * Prompt evaluation before the first token of every generation, in ms (a slow GPU, a long
   * prompt); default 0. A scripted reply's firstByteDelayMs adds to it. Not scaled by timeScale.
   */
  firstTokenDelayMs?: number;
  /**
   * A folder for test/fixtures/bin/nvidia-smi (FAKE_NVIDIA_SMI_DIR): the double keeps gpu.csv
   * and apps.csv there in step with what it holds in VRAM, as the real card would show it.
   */
  nvidiaSmiDir?: string;
}

export interface OllamaDouble extends Double {
  /** Every model load, in order. */
  loads: ModelLoad[];
  loaded(): LoadedModel[];
  /** Unloads a model at once, as `ollama stop` or memory pressure from elsewhere would. */
  evict(name: string): void;
}

const DRIVER_RESERVED_BYTES = 378 * MIB; // a T600 Laptop shows 3717.94 of 4096 MiB to CUDA (7.4)
const OLLAMA_MINIMUM_BYTES = 457 * MIB; // ml/device.go MinimumMemory (4)
const STREAM_ERROR = 'an error was encountered while running the model'; // 4: mid-stream error line

/**
 * A double of Ollama's native API on a small GPU: /, /api/version, /api/tags, /api/ps, /api/show,
 * /api/chat and /api/generate, with the scheduling of ollama-gpu-model.ts behind them.
 */
export async function startOllamaDouble(options: OllamaDoubleOptions = {}): Promise<OllamaDouble> {
  const catalog = toCatalog(options.models ?? DEFAULT_MODELS);
  const behaviours = new BehaviourQueue();
  const vram = options.vramBytes ?? 4096 * MIB;
  const defaultKeepAlive = parseKeepAlive(options.defaultKeepAlive ?? '5m');
  if ('error' in defaultKeepAlive) throw new Error(`defaultKeepAlive: ${defaultKeepAlive.error}`);
  const gpu = new OllamaGpu({
    usableVramBytes: options.usableVramBytes ?? vram - DRIVER_RESERVED_BYTES - OLLAMA_MINIMUM_BYTES,
    loadMsPerGiB: options.loadMsPerGiB ?? 200,
    defaultKeepAliveMs: defaultKeepAlive.ms ?? 300_000,
    timeScale: options.timeScale ?? 1,
    onChange: options.nvidiaSmiDir ? () => writeNvidiaSmi(options.nvidiaSmiDir as string, vram, gpu) : undefined,
  });
  if (options.nvidiaSmiDir) writeNvidiaSmi(options.nvidiaSmiDir, vram, gpu);
  const find = (name: string): CatalogModel | undefined => catalog.find((model) => model.name === normalizeModelName(name));

  const http = await startHttpDouble(options.port ?? 0, async (exchange) => {
    const method = exchange.request.method ?? 'GET';
    const path = exchange.url.pathname;
    const readable = method === 'GET' || method === 'HEAD';
    const json = (status: number, body: unknown): void => sendJson(exchange.response, status, body, {}, JSON_TYPE);
    // 0: routes.go L1877+; gin answers anything else with a plain-text 404.
    if (path === '/' && readable) return sendText(exchange.response, 200, 'Ollama is running');
    if (path === '/api/version' && readable) return json(200, { version: OLLAMA_VERSION });
    if (path === '/api/tags' && readable) return json(200, { models: catalog.map(tagEntry) });
    if (path === '/api/ps' && method === 'GET') return json(200, { models: psEntries() });
    if (path === '/api/show' && method === 'POST') return show(exchange);
    if (path === '/api/chat' && method === 'POST') return generation(exchange, 'chat');
    if (path === '/api/generate' && method === 'POST') return generation(exchange, 'generate');
    return sendText(exchange.response, 404, '404 page not found');
  });

  /** 2.1: loaded models, newest expiry first, with size, size_vram, expires_at and context_length. */
  function psEntries(): unknown[] {
    return gpu.loaded().map((entry) => {
      const model = find(entry.name) as CatalogModel;
      return {
        name: model.name,
        model: model.name,
        size: entry.size,
        digest: model.digest,
        details: details(model),
        expires_at: formatGoTime(entry.expiresAt.getTime(), 'local'),
        size_vram: entry.sizeVram,
        context_length: entry.numCtx,
      };
    });
  }

  function fail(exchange: DoubleExchange, status: number, message: string, headers: Record<string, string> = {}): void {
    sendJson(exchange.response, status, { error: message }, headers, JSON_TYPE);
  }

  /** Body checks in the order Ollama's handlers run them (section 4 table). */
  function parseBody(exchange: DoubleExchange, goType: string): Record<string, unknown> | undefined {
    const raw = exchange.record.rawBody;
    if (raw.trim() === '') return void fail(exchange, 400, 'missing request body');
    const syntax = goJsonSyntaxError(raw);
    if (syntax) return void fail(exchange, 400, syntax);
    const body = exchange.record.body;
    if (!isRecord(body)) return void fail(exchange, 400, `json: cannot unmarshal ${goJsonTypeName(body)} into Go value of type api.${goType}`);
    return body;
  }

  async function show(exchange: DoubleExchange): Promise<void> {
    const body = parseBody(exchange, 'ShowRequest');
    if (!body) return;
    const name = typeof body.model === 'string' && body.model ? body.model : body.name; // `name` is the deprecated alias
    if (typeof name !== 'string' || !name) return fail(exchange, 400, 'model is required');
    const model = find(name);
    if (!model) return fail(exchange, 404, `model '${name}' not found`);
    sendJson(exchange.response, 200, showBody(model), {}, JSON_TYPE);
  }

  async function generation(exchange: DoubleExchange, kind: Kind): Promise<void> {
    const goType = kind === 'chat' ? 'ChatRequest' : 'GenerateRequest';
    const body = parseBody(exchange, goType);
    if (!body) return;
    const typeError = fieldTypeError(body, kind, goType);
    if (typeError) return fail(exchange, 400, typeError);
    // 1.6: keep_alive is parsed while the body is decoded, so its error comes first.
    const keepAlive = parseKeepAlive(body.keep_alive);
    if ('error' in keepAlive) return fail(exchange, 400, keepAlive.error);
    if (typeof body.model !== 'string' || body.model === '') return fail(exchange, 400, 'model is required');
    // routes.go GenerateHandler: raw takes the prompt as it is, so nothing may be templated around it.
    if (kind === 'generate' && body.raw === true && (nonEmpty(body.template) || nonEmpty(body.system) || (Array.isArray(body.context) && body.context.length > 0))) {
      return fail(exchange, 400, 'raw mode does not support template, system, or context');
    }
    const requested = body.model;
    const model = find(requested);
    if (!model) return fail(exchange, 404, `model '${requested}' not found`);
    const modelOptions = isRecord(body.options) ? body.options : {};
    for (const key of ['num_ctx', 'num_predict', 'num_batch', 'num_gpu', 'seed', 'top_k']) {
      const value = modelOptions[key];
      if (value !== undefined && !Number.isInteger(value)) return fail(exchange, 400, `option "${key}" must be of type integer`);
    }
    const numCtx = modelOptions.num_ctx as number | undefined;
    const messages = kind === 'chat' ? ((body.messages as unknown[] | undefined) ?? []) : [];
    const prompt = kind === 'generate' && typeof body.prompt === 'string' ? body.prompt : '';
    const suffix = kind === 'generate' && typeof body.suffix === 'string' ? body.suffix : '';
    const raw = kind === 'generate' && body.raw === true;
    const loadOnly = kind === 'chat' ? messages.length === 0 : prompt === '';
    // 1.5: an empty request with keep_alive 0 unloads, before any capability is checked.
    if (loadOnly && keepAlive.ms === 0) {
      gpu.unloadSoon(model.name);
      return sendJson(exchange.response, 200, loadBody(kind, requested, 'unload'), {}, JSON_TYPE);
    }
    // Capabilities are checked when the runner is scheduled, before the empty-prompt load answer (vscode-extension.md 3.2).
    if (kind === 'generate' && !model.capabilities.includes('completion')) return fail(exchange, 400, `"${requested}" does not support generate`);
    if (suffix !== '' && !model.capabilities.includes('insert')) return fail(exchange, 400, `${registryName(model.name)} does not support insert`);
    if (Array.isArray(body.tools) && body.tools.length && !model.capabilities.includes('tools')) return fail(exchange, 400, `"${requested}" does not support tools`);
    if (body.think === true && !model.capabilities.includes('thinking')) return fail(exchange, 400, `"${requested}" does not support thinking`);

    if (loadOnly) {
      // 1.5: an empty request loads, blocking until the model is ready (a suffix alone still only loads).
      const lease = await gpu.acquire({ model, numCtx, keepAliveMs: keepAlive.ms, signal: exchange.signal, exclusive: false });
      if (!lease) return;
      lease.release();
      return sendJson(exchange.response, 200, loadBody(kind, requested, 'load'), {}, JSON_TYPE);
    }

    const behaviour = behaviours.next();
    if (behaviour.kind === 'error') {
      await sleep(behaviour.delayMs ?? 0, exchange.signal);
      return fail(exchange, behaviour.status, behaviour.message ?? 'the model failed to generate a response', behaviour.headers);
    }
    const start = process.hrtime.bigint();
    const lease = await gpu.acquire({ model, numCtx, keepAliveMs: keepAlive.ms, signal: exchange.signal, exclusive: true });
    if (!lease) return;
    try {
      const input = kind === 'chat' ? summarizeMessages(messages) : generateInput(prompt, suffix, raw, body.system);
      const numPredict = modelOptions.num_predict as number | undefined;
      const replyBehaviour: ReplyBehaviour = behaviour.kind === 'reply' ? behaviour : (DEFAULT_BEHAVIOUR as ReplyBehaviour);
      const reply = planReply(replyBehaviour, {
        promptChars: input.chars,
        lastUserText: input.lastUserText,
        maxOutputTokens: numPredict !== undefined && numPredict >= 0 ? numPredict : undefined,
        defaultText: structuredDefault(body.format, input.lastUserText),
      });
      const fault = behaviour.kind === 'reply' ? undefined : behaviour;
      await respond(exchange, { kind, model: requested, reply, fault, start, stream: body.stream !== false, raw, promptEvalMs: options.firstTokenDelayMs ?? 0 });
    } finally {
      lease.release();
    }
  }

  const double = doubleOf(http, behaviours);
  return {
    ...double,
    loads: gpu.loads,
    loaded: () => gpu.loaded(),
    evict: (name) => gpu.evict(normalizeModelName(name)),
    reset: () => {
      double.reset();
      gpu.clear();
    },
    close: async () => {
      gpu.close();
      await double.close();
    },
  };
}

function loadBody(kind: Kind, model: string, reason: 'load' | 'unload'): Record<string, unknown> {
  const created_at = formatGoTime(preciseNow(), 'utc');
  if (kind === 'chat') return { model, created_at, message: { role: 'assistant', content: '' }, done_reason: reason, done: true };
  return { model, created_at, response: '', done: true, done_reason: reason };
}

interface Generation {
  kind: Kind;
  model: string;
  reply: PlannedReply;
  fault: FaultBehaviour | undefined;
  start: bigint;
  stream: boolean;
  raw: boolean;
  /** The double's own prompt evaluation time, before any scripted delay. */
  promptEvalMs: number;
}

/** Ollama shows reasoning, text and whole tool calls (chat only); argument fragments never appear. */
function visiblePieces(kind: Kind, reply: PlannedReply): ReplyPiece[] {
  return replyPieces(reply).filter((piece) => piece.kind === 'reasoning' || piece.kind === 'text' || (kind === 'chat' && piece.kind === 'tool-call-start'));
}

function toolCalls(reply: PlannedReply, indexes?: number[]): unknown[] {
  return reply.toolCalls
    .filter((_, index) => !indexes || indexes.includes(index))
    .map((call) => ({ function: { name: call.name, arguments: parseArguments(call.arguments) } }));
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** One streamed chunk (1.2 / 1.4 shapes). */
function pieceLine(generation: Generation, piece: ReplyPiece): Record<string, unknown> {
  const head = { model: generation.model, created_at: formatGoTime(preciseNow(), 'utc') };
  if (generation.kind === 'generate') {
    return piece.kind === 'reasoning' ? { ...head, response: '', thinking: piece.text, done: false } : { ...head, response: piece.kind === 'text' ? piece.text : '', done: false };
  }
  const message: Record<string, unknown> = { role: 'assistant', content: piece.kind === 'text' ? piece.text : '' };
  if (piece.kind === 'reasoning') message.thinking = piece.text;
  if (piece.kind === 'tool-call-start') message.tool_calls = toolCalls(generation.reply, [piece.index]);
  return { ...head, message, done: false };
}

/** The final object: done_reason, metrics (zeros omitted) and, for generate, context (1.2-1.4). */
function finalObject(generation: Generation, timing: { loadedAt: bigint; firstTokenAt: bigint }, whole: boolean): Record<string, unknown> {
  const { reply } = generation;
  const end = process.hrtime.bigint();
  const metrics = metricsFields({
    totalDuration: end - generation.start,
    loadDuration: timing.loadedAt - generation.start,
    promptEvalCount: reply.usage.inputTokens,
    promptEvalDuration: timing.firstTokenAt - timing.loadedAt,
    evalCount: reply.usage.outputTokens,
    evalDuration: end - timing.firstTokenAt,
  });
  const done_reason = reply.finishReason === 'length' ? 'length' : 'stop';
  const head = { model: generation.model, created_at: formatGoTime(preciseNow(), 'utc') };
  if (generation.kind === 'generate') {
    const context = Array.from({ length: Math.min(reply.usage.inputTokens + reply.usage.outputTokens, 2048) }, (_, index) => (index * 7919 + 151) % 151_936);
    const text = whole ? { response: reply.text, ...(reply.reasoning ? { thinking: reply.reasoning } : {}) } : { response: '' };
    return { ...head, ...text, done: true, done_reason, ...(generation.raw ? {} : { context }), ...metrics };
  }
  const message: Record<string, unknown> = { role: 'assistant', content: whole ? reply.text : '' };
  if (whole && reply.reasoning) message.thinking = reply.reasoning;
  if (whole && reply.toolCalls.length) message.tool_calls = toolCalls(reply);
  return { ...head, message, done_reason, done: true, ...metrics };
}

async function respond(exchange: DoubleExchange, generation: Generation): Promise<void> {
  const { response, signal } = exchange;
  const { reply, fault } = generation;
  const loadedAt = process.hrtime.bigint();
  await sleep(generation.promptEvalMs + reply.firstByteDelayMs, signal); // prompt evaluation
  if (signal.aborted) return;
  const firstTokenAt = process.hrtime.bigint();
  const pieces = visiblePieces(generation.kind, reply);

  if (!generation.stream) {
    if (fault?.kind === 'stall') return untilAborted(signal);
    if (fault?.kind === 'drop') return exchange.drop();
    if (fault?.kind === 'midstream-error') return sendJson(response, 500, { error: fault.message ?? STREAM_ERROR }, {}, JSON_TYPE);
    await sleep(reply.chunkDelayMs * pieces.length, signal); // generation time
    if (signal.aborted) return;
    // 0: a non-streamed answer is one application/json object without a trailing newline.
    return sendJson(response, 200, finalObject(generation, { loadedAt, firstTokenAt }, true), {}, JSON_TYPE);
  }

  response.writeHead(200, { 'content-type': NDJSON_TYPE });
  response.flushHeaders();
  const limit = fault ? Math.min(fault.afterChunks, pieces.length) : pieces.length;
  for (let index = 0; index < limit; index++) {
    if (signal.aborted) return;
    writeChunk(response, ndjsonLine(pieceLine(generation, pieces[index] as ReplyPiece)));
    await pauseBetweenChunks(reply.chunkDelayMs, signal);
  }
  if (signal.aborted) return;
  if (fault?.kind === 'drop') return exchange.drop();
  if (fault?.kind === 'stall') return untilAborted(signal);
  if (fault?.kind === 'midstream-error') {
    // 4: once bytes are out the status stays 200 and an error line ends the stream.
    writeChunk(response, ndjsonLine({ error: fault.message ?? STREAM_ERROR }));
    return void response.end();
  }
  writeChunk(response, ndjsonLine(finalObject(generation, { loadedAt, firstTokenAt }, false)));
  response.end();
}

/**
 * What nvidia-smi would print for the simulated card (reference/ollama-gpu.md 7.4, the T600
 * Laptop captures): 5 MiB used by the desktop, ~378 MiB reserved by the driver, each loaded
 * model's VRAM used by its own llama-server runner; busy while a model loads or generates.
 */
function writeNvidiaSmi(dir: string, vramBytes: number, gpu: OllamaGpu): void {
  const totalMiB = Math.round(vramBytes / MIB);
  const loaded = gpu.loaded();
  const modelsMiB = loaded.reduce((sum, entry) => sum + Math.round(entry.sizeVram / MIB), 0);
  const used = 5 + modelsMiB;
  const free = Math.max(0, totalMiB - Math.round(DRIVER_RESERVED_BYTES / MIB) - used);
  const busy = gpu.isBusy();
  const line = ['0', 'NVIDIA T600 Laptop GPU', 'GPU-00000000-0000-0000-0000-000000000000', busy ? '97' : '0', busy ? '58' : '0', String(totalMiB), String(used), String(free), busy ? '71' : '56', busy ? '33.80' : '10.00', '35.00', busy ? '1395' : '300'].join(', ');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'gpu.csv.tmp'), `${line}\n`);
  renameSync(join(dir, 'gpu.csv.tmp'), join(dir, 'gpu.csv'));
  const apps = loaded.map((entry, index) => `${48213 + index}, /usr/local/lib/ollama/llama-server, ${Math.round(entry.sizeVram / MIB)}`).join('\n');
  writeFileSync(join(dir, 'apps.csv.tmp'), apps ? `${apps}\n` : '');
  renameSync(join(dir, 'apps.csv.tmp'), join(dir, 'apps.csv'));
}

/**
 * `format` (reference/ollama-gpu.md 1.1): "json", or a JSON schema the answer is constrained to
 * (Ollama 0.5 on). The default reply is then JSON, valid against the schema; a scripted text is
 * sent as given.
 */
function structuredDefault(format: unknown, lastUserText: string): string | undefined {
  if (format === 'json') return JSON.stringify({ text: echoText(lastUserText) });
  if (!isRecord(format)) return undefined;
  return JSON.stringify(sampleOf(format, echoText(lastUserText)));
}
