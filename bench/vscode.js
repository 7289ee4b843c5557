// The VS Code extension (vscode/), in one run on this machine:
// 1. Activation: loading the packed bundle (vscode/dist/extension.js) and running activate(),
//    in a fresh Node process each time, as an extension host does once per window; the editor's
//    `vscode` module is a stand-in (bench/lib/vscode-stub.cjs), so this is the extension's own
//    share of a window's start. Target: 200 ms.
// 2. Typing: the extension's own completion scheduler and HTTP client (vscode/src/complete,
//    vscode/src/daemon/client.ts) against a real daemon and the Ollama double (its own process,
//    each generation's first token 200 ms away, as on a small GPU), with a character typed every
//    80 ms; a counting proxy in front of the double says how many /api/generate requests were open
//    at once, and whether any was left running after the last keystroke's completion came back.
//    Targets: at most 1 in flight, none left.
//
// runVscodeBench(options) -> { id, title, result, text, markdown }
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ROOT, sanitizedEnv, startLodestar } from './gateway-targets.js';
import { registerCleanup, startNode, stopChild } from './lib/processes.js';
import { max, median, min, percentile } from './lib/stats.js';
import { startCountingProxy } from './lib/upstream-counter.js';

export const TARGETS = { activationMs: 200, maxInFlight: 1, leftRunning: 0 };
const PLAN = { activations: 30, keystrokes: 40, keyMs: 80, firstTokenMs: 200, debounces: [150, 50] };
const QUICK = { activations: 5, keystrokes: 10, keyMs: 80, firstTokenMs: 200, debounces: [150, 50] };

export async function runVscodeBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const bundle = join(ROOT, 'vscode', 'dist', 'extension.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: npm run build makes it`);
  const home = mkdtempSync(join(tmpdir(), 'lodestar-vscode-bench-'));
  const result = { date: new Date().toISOString(), node: process.version, plan };
  try {
    log(`activation: require + activate() of the bundle, ${plan.activations} fresh processes`);
    const runs = [];
    for (let run = 0; run < plan.activations; run++) {
      const script = `const t0 = performance.now(); const extension = require(${JSON.stringify(bundle)}); const t1 = performance.now(); extension.activate({ subscriptions: [] }); const t2 = performance.now(); console.log(JSON.stringify({ load: t1 - t0, activate: t2 - t1, total: t2 - t0 })); process.exit(0);`;
      const output = execFileSync(process.execPath, ['--require', join(ROOT, 'bench', 'lib', 'vscode-stub.cjs'), '-e', script], { cwd: home, env: { ...process.env, LODESTAR_HOME: home }, encoding: 'utf8' });
      runs.push(JSON.parse(output.trim().split('\n').at(-1)));
    }
    const stat = (key) => ({ p50: median(runs.map((run) => run[key])), p95: percentile(runs.map((run) => run[key]), 95), min: min(runs.map((run) => run[key])), max: max(runs.map((run) => run[key])) });
    result.activation = { load: stat('load'), activate: stat('activate'), total: stat('total') };
    log(`  load ${result.activation.load.p50.toFixed(2)} ms, activate() ${result.activation.activate.p50.toFixed(2)} ms, total p50 ${result.activation.total.p50.toFixed(2)} ms (p95 ${result.activation.total.p95.toFixed(2)})`);
    result.typing = await typing(plan, home, log);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const met = result.activation.total.p95 <= TARGETS.activationMs;
  const typingMet = result.typing.every((run) => run.maxInFlight <= TARGETS.maxInFlight && run.leftRunning === TARGETS.leftRunning && run.lastShown);
  const ms = (value) => `${value.toFixed(2)} ms`;
  const a = result.activation;
  const text = [
    'VS Code extension',
    `  activation (require + activate, ${plan.activations} processes): p50 ${ms(a.total.p50)}, p95 ${ms(a.total.p95)} (load ${ms(a.load.p50)}, activate() ${ms(a.activate.p50)}); target ${TARGETS.activationMs} ms: ${met ? 'met' : 'NOT met'}`,
    ...result.typing.map((run) => `  typing every ${plan.keyMs} ms, debounce ${run.debounceMs} ms: ${run.sent} of ${run.asked} sent, ${run.aborted} aborted, upstream at most ${run.maxInFlight} in flight, ${run.leftRunning} left running; last completion ${run.lastShown ? `shown ${ms(run.lastMs)} after the last key` : 'NOT shown'}`),
    `  typing targets (at most ${TARGETS.maxInFlight} in flight, none left running): ${typingMet ? 'met' : 'NOT met'}`,
  ].join('\n');
  const markdown = [
    '## The VS Code extension (issue 20)',
    '',
    `Run ${result.date.slice(0, 10)} on Node ${result.node}, \`npm run bench -- vscode\`.`,
    '',
    '| what | p50 | p95 | min | max | target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| activation: loading the bundle | ${ms(a.load.p50)} | ${ms(a.load.p95)} | ${ms(a.load.min)} | ${ms(a.load.max)} | |`,
    `| activation: activate() | ${ms(a.activate.p50)} | ${ms(a.activate.p95)} | ${ms(a.activate.min)} | ${ms(a.activate.max)} | |`,
    `| activation: total | ${ms(a.total.p50)} | ${ms(a.total.p95)} | ${ms(a.total.min)} | ${ms(a.total.max)} | ≤ ${TARGETS.activationMs} ms: ${met ? 'met' : '**not met**'} |`,
    '',
    `| typing, a key every ${plan.keyMs} ms (${plan.keystrokes} keys) | asked | sent | aborted | upstream requests | most in flight upstream | left running | last completion shown after the last key |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.typing.map((run) => `| debounce ${run.debounceMs} ms | ${run.asked} | ${run.sent} | ${run.aborted} | ${run.upstream.started} (${run.upstream.cut} cut) | ${run.maxInFlight} | ${run.leftRunning} | ${run.lastShown ? ms(run.lastMs) : 'not shown'} |`),
    '',
    `Typing targets (at most ${TARGETS.maxInFlight} request in flight to Ollama, none left running after the last keystroke's completion): ${typingMet ? 'met' : '**not met**'}. The extension's scheduler and client run in the bench against a real daemon; the Ollama double takes ${plan.firstTokenMs} ms to its first token, so that with a 50 ms debounce every keystroke's request is in flight when the next key comes and must be aborted, through the daemon, at Ollama. With the default 150 ms debounce a typist at 80 ms a key sends nothing until the pause.`,
    '',
    `Activation is measured in a fresh Node process per run (${plan.activations} runs), as an extension host loads an extension once per window, with the editor's \`vscode\` module replaced by a stand-in (bench/lib/vscode-stub.cjs): what is timed is the extension's own share. activate() waits on nothing: the daemon is looked for after it returns.`,
  ].join('\n');
  return { id: 'vscode', title: 'VS Code extension', result, text, markdown };
}

/** The extension's scheduler and HTTP client, bundled from its sources for this process. */
async function extensionParts(work) {
  const entry = join(work, 'parts.ts');
  writeFileSync(entry, `export { CompletionScheduler } from ${JSON.stringify(join(ROOT, 'vscode', 'src', 'complete', 'scheduler.ts'))};\nexport { daemonClient } from ${JSON.stringify(join(ROOT, 'vscode', 'src', 'daemon', 'client.ts'))};\n`);
  const out = join(work, 'parts.mjs');
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', logLevel: 'warning' });
  return import(pathToFileURL(out).href);
}

async function typing(plan, work, log) {
  const { CompletionScheduler, daemonClient } = await extensionParts(work);
  const env = sanitizedEnv();
  const stops = [];
  const runs = [];
  try {
    const double = await startNode('ollama double', [join(ROOT, 'bench', 'ollama-double-server.js'), '--port', '0', '--first-token-ms', String(plan.firstTokenMs)], { env, logPath: join(work, 'ollama-double.log'), ready: /ollama-double listening (\d+)/ });
    stops.push(async () => stopChild('ollama double', double.pid));
    const proxy = await startCountingProxy(Number(double.match[1]), /^\/api\/generate/);
    stops.push(proxy.close);
    const result = {};
    const daemon = await startLodestar({ env, work, upstreamPort: proxy.port, result, config: { cache: { enabled: false }, gpu: { enabled: false }, providers: { ollama: { warmup: false } } }, extraEnv: { OLLAMA_HOST: `http://127.0.0.1:${proxy.port}` } });
    stops.push(daemon.stop);
    const client = daemonClient(`http://127.0.0.1:${daemon.port}`, daemon.token);
    const send = async (request, signal) => {
      const answer = await client.call('/p/bench/v1/completions', { method: 'POST', headers: { 'x-lodestar-tool': 'vscode' }, body: { model: 'lodestar/complete', prompt: request.prefix, suffix: request.suffix, max_tokens: 64, temperature: 0.1, stop: ['\n\n'], stream: false }, signal, timeoutMs: 15_000 });
      return answer.choices?.[0]?.text;
    };
    // One completion first, so that the model is loaded and its capabilities known.
    // (The daemon finds Ollama answering at its first look, a moment after it starts.)
    for (let attempt = 0; ; attempt++) {
      try {
        await send({ prefix: 'def f():\n    ', suffix: '\n' }, AbortSignal.timeout(15_000));
        break;
      } catch (error) {
        if (attempt >= 40) throw error;
        await delay(250);
      }
    }
    for (const debounceMs of plan.debounces) {
      Object.assign(proxy.stats, { open: 0, maxOpen: 0, started: 0, finished: 0, cut: 0 });
      const scheduler = new CompletionScheduler(send, () => debounceMs);
      const answers = [];
      let text = 'def fibonacci(n):\n    ';
      const word = 'if n < 2: return n  # the base case of it all';
      let lastKeyAt = 0;
      for (let key = 0; key < plan.keystrokes; key++) {
        text += word[key % word.length];
        lastKeyAt = performance.now();
        answers.push(scheduler.complete({ prefix: text, suffix: '\n\nprint(fibonacci(10))\n' }));
        await delay(plan.keyMs);
      }
      const results = await Promise.all(answers);
      const lastMs = performance.now() - lastKeyAt;
      await delay(300);
      const run = { debounceMs, ...scheduler.counters, lastShown: typeof results.at(-1) === 'string' && results.at(-1).length > 0, lastMs, maxInFlight: proxy.stats.maxOpen, leftRunning: proxy.stats.open, upstream: { ...proxy.stats } };
      runs.push(run);
      log(`  typing, debounce ${debounceMs} ms: ${run.sent} sent of ${run.asked}, ${run.aborted} aborted; upstream ${run.upstream.started} (${run.upstream.cut} cut), at most ${run.maxInFlight} in flight, ${run.leftRunning} left`);
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  return runs;
}
