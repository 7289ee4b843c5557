// A day of Aider use (test/fixtures/aider-trace/session.jsonl, made by
// scripts/make-aider-trace.mjs) replayed one request at a time, as Aider sends them, through a
// real daemon started by `lodestar start` in front of upstream doubles in this process. Shared
// by the router bench (issue 5) and the GPU bench (issue 6).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sanitizedEnv } from '../gateway-targets.js';
import { childEnv, GUARD_IMPORT, killSync, registerCleanup, waitForExit } from './processes.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'lodestar');
export const TRACE_PATH = join(ROOT, 'test', 'fixtures', 'aider-trace', 'session.jsonl');
export const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
export const run = promisify(execFile);

export const KEYS = { openai: 'sk-bench-openai-00000000000000000', deepseek: 'sk-bench-deepseek-0000000000000000' };

/** The trace (~22 MB), generated deterministically the first time rather than kept in git. */
export function loadTrace() {
  if (!existsSync(TRACE_PATH)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-aider-trace.mjs'), TRACE_PATH]);
  return readFileSync(TRACE_PATH, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
}

/**
 * Replays `trace` through a daemon with `config`, in `work`. Options: `ollama` (the Ollama
 * double's options), `env` (more variables for the daemon), `ready(daemon)` (awaited after start,
 * before the first request: e.g. waiting for warm-up), `log`.
 * Returns the daemon's route and request events, the ledger, `lodestar models list` and
 * `report --by task|model`, the Ollama double's loads, and when the replay began (epoch ms).
 */
export async function replayTrace(trace, work, options) {
  const { config, log = () => {} } = options;
  const { startOpenAIDouble, startOllamaDouble } = await dist('test/doubles/index.js');
  const { subscribeToEvents } = await dist('src/shared/events-client.js');
  const [openai, deepseek, ollama] = await Promise.all([
    startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai }),
    startOpenAIDouble({ flavor: 'deepseek', apiKey: KEYS.deepseek }),
    startOllamaDouble(options.ollama),
  ]);
  const doubles = [openai, deepseek, ollama];
  const home = join(work, 'home');
  const env = childEnv({
    ...sanitizedEnv(),
    LODESTAR_HOME: home,
    LODESTAR_UI_PORT: '0',
    OPENAI_API_KEY: KEYS.openai,
    OPENAI_BASE_URL: openai.url,
    DEEPSEEK_API_KEY: KEYS.deepseek,
    DEEPSEEK_BASE_URL: deepseek.url,
    OLLAMA_HOST: ollama.url,
    NODE_OPTIONS: GUARD_IMPORT,
    ...options.env,
  });
  mkdirSync(home, { mode: 0o700 });
  writeFileSync(join(home, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  let daemonPid;
  let forgetDaemon = () => {};
  const routes = [];
  const requests = [];
  const others = [];
  let subscription;
  try {
    // Asynchronously: the doubles live in this process and must answer while it starts.
    await run(process.execPath, [BIN, 'start', '--port', '0'], { env, cwd: work, timeout: 30_000 });
    const state = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8'));
    daemonPid = state.pid;
    forgetDaemon = registerCleanup('bench daemon', () => killSync(daemonPid, 5000));
    const token = readFileSync(join(home, 'token'), 'utf8').trim();
    let wake;
    subscription = await subscribeToEvents(state.port, token, (event) => {
      if (event.type === 'route') routes.push(event.data);
      else if (event.type === 'request') requests.push(event.data);
      else if (event.type !== 'gpu') others.push({ at: Date.now(), type: event.type, data: event.data });
      else return;
      wake?.();
    });
    await options.ready?.({ port: state.port, token, ollama, env });
    const models = JSON.parse((await run(process.execPath, [BIN, 'models', 'list', '--json'], { env, cwd: work, maxBuffer: 16 << 20 })).stdout);

    const startedAt = Date.now();
    const started = performance.now();
    for (const [index, step] of trace.entries()) {
      // Whichever upstream the router picks answers with what a real one reported for this step.
      for (const double of doubles) double.setDefault({ kind: 'reply', text: `step ${step.step}`, usage: step.upstreamUsage });
      const response = await fetch(`http://127.0.0.1:${state.port}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': 'aider-trace-replay' },
        body: JSON.stringify(step.request),
      });
      const body = await response.text();
      if (response.status !== 200) throw new Error(`step ${step.step} (${step.kind}) answered ${response.status}: ${body.slice(0, 300)}`);
      const deadline = Date.now() + 10_000;
      while (requests.length < index + 1) {
        if (Date.now() > deadline) throw new Error(`no events for step ${step.step}`);
        await new Promise((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50).unref();
        });
      }
      if ((index + 1) % 50 === 0) log(`  ${index + 1}/${trace.length}`);
    }
    const seconds = (performance.now() - started) / 1000;
    subscription.close();
    subscription = undefined;
    const stopped = await run(process.execPath, [BIN, 'stop'], { env, cwd: work, timeout: 40_000 }).catch((error) => error);
    if (!(await waitForExit(daemonPid, 5000))) killSync(daemonPid, 1000);
    forgetDaemon();
    daemonPid = undefined;
    if (stopped instanceof Error) log(`lodestar stop: ${stopped.message}`);

    // What the ledger says, through the real command, and the JSONL itself for task x model.
    const report = async (by) => JSON.parse((await run(process.execPath, [BIN, 'report', '--json', '--by', by], { env, cwd: work })).stdout);
    const ledgerDir = join(home, 'ledger');
    const ledger = readdirSync(ledgerDir)
      .filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => readFileSync(join(ledgerDir, name), 'utf8').trim().split('\n').map((line) => JSON.parse(line)));
    return {
      seconds,
      startedAt,
      routes,
      requests,
      others,
      ledger,
      models,
      byTask: await report('task'),
      byModel: await report('model'),
      decisionMs: routes.map((route) => route.decisionMs),
      localModels: (await (await fetch(`${ollama.url}/api/tags`)).json()).models.map((model) => model.name),
      ollamaLoads: ollama.loads.length,
      loads: ollama.loads.map((load) => ({ ...load })),
    };
  } finally {
    subscription?.close();
    if (daemonPid) {
      killSync(daemonPid, 3000);
      forgetDaemon();
    }
    await Promise.all(doubles.map((double) => double.close()));
  }
}
