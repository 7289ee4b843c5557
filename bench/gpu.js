// The free tier on a 4 GB GPU (issue 6): how many times Ollama loads a model, and how long
// those loads take, over the Aider-like day of the router bench (bench/lib/replay.js), with
// Lodestar (warm-up at start, the router preferring the model in VRAM, requests queued per
// model, one fixed num_ctx per model) against naive routing of the same local requests straight
// to Ollama: a fixed model per task (commit messages on the small model, Aider's "weak model";
// summaries and questions on the 3B coder), once with fixed context sizes and once with the
// context size Aider itself sends to Ollama (int(tokens x 1.25) + 8192, a new value nearly
// every request). Every arm runs against the same Ollama double on a simulated T600.
//
// runGpuBench(options) -> { id, title, result, text, markdown }
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG } from './router.js';
import { registerCleanup } from './lib/processes.js';
import { dist, loadTrace, replayTrace, ROOT } from './lib/replay.js';

export const TARGETS = { requestsPerLoad: 50 };
/**
 * A load's pace on a T600 (reference/ollama-gpu.md section 5: ~1-3 s for a 1-2 GB model from
 * the page cache), i.e. ~1.2 s per GiB loaded; every wait of the double runs 50x faster, and the
 * load times below are given back in simulated (T600) seconds.
 */
const LOAD_MS_PER_GIB = 1200;
const TIME_SCALE = 0.02;
const SMALL = 'qwen2.5-coder:1.5b';
const CODER = 'qwen2.5-coder:3b';

export async function runGpuBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const trace = loadTrace();
  const work = mkdtempSync(join(tmpdir(), 'lodestar-gpu-bench-'));
  const forgetWork = registerCleanup('gpu bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const startedAt = new Date();
  try {
    log(`replaying ${trace.length} requests through the daemon, Ollama on a simulated 4 GB T600`);
    const lodestar = await lodestarArm(trace, work, log);
    const localSteps = lodestar.localSteps;
    log(`${localSteps.length} requests went to Ollama; sending the same ones straight to Ollama with naive routing`);
    const naiveFixed = await naiveArm(localSteps, 'fixed');
    const naiveAider = await naiveArm(localSteps, 'aider');
    const result = {
      date: startedAt.toISOString(),
      node: process.version,
      requests: trace.length,
      localRequests: localSteps.length,
      loadMsPerGiB: LOAD_MS_PER_GIB,
      config: CONFIG,
      arms: { lodestar: lodestar.summary, naiveFixed, naiveAider },
    };
    return { id: 'gpu', title: 'Local GPU: model loads (issue 6)', result, text: renderText(result), markdown: renderMarkdown(result) };
  } finally {
    if (options.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
    forgetWork();
  }
}

async function lodestarArm(trace, work, log) {
  const smi = join(work, 'nvidia-smi');
  let warmup;
  const replay = await replayTrace(trace, work, {
    config: CONFIG,
    ollama: { nvidiaSmiDir: smi, loadMsPerGiB: LOAD_MS_PER_GIB, timeScale: TIME_SCALE },
    env: { PATH: `${join(ROOT, 'test', 'fixtures', 'bin')}:${process.env.PATH}`, FAKE_NVIDIA_SMI_DIR: smi },
    log,
    // As after `lodestar start`: the replay begins once warm-up has loaded what it loads.
    ready: async ({ port }) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
        if (health.ollama?.warmup?.state === 'done') {
          warmup = health.ollama.warmup;
          return;
        }
        if (Date.now() > deadline) throw new Error(`warm-up did not finish: ${JSON.stringify(health.ollama)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  });
  const byStep = replay.ledger.map((event, index) => ({ step: trace[index], event }));
  const local = byStep.filter((row) => row.event.provider === 'ollama');
  const during = replay.loads.filter((load) => load.at >= replay.startedAt);
  const before = replay.loads.filter((load) => load.at < replay.startedAt);
  const warmed = new Set(warmup.results.filter((entry) => entry.outcome === 'loaded').map((entry) => entry.model));
  const firstWarm = local.find((row) => warmed.has(row.event.model.slice('ollama/'.length)));
  return {
    localSteps: local.map((row) => row.step),
    summary: {
      name: 'Lodestar',
      warmup: warmup.results,
      loadsAtStart: before.length,
      loads: during.length,
      loadSeconds: simulatedSeconds(during),
      loadSecondsAtStart: simulatedSeconds(before),
      loadOrder: during.map((load) => load.model),
      served: countBy(local, (row) => row.event.model),
      firstWarmedRequest: firstWarm && {
        step: firstWarm.step.step,
        model: firstWarm.event.model,
        loadsBefore: during.filter((load) => load.at <= Date.parse(firstWarm.event.time) + firstWarm.event.latencyMs).length,
        loadDurationMs: firstWarm.event.loadDurationMs === undefined ? undefined : firstWarm.event.loadDurationMs / TIME_SCALE,
      },
      failed: replay.ledger.filter((event) => event.status !== 'ok').length,
    },
  };
}

/** The same local requests, in the same order, one at a time, straight to Ollama. */
async function naiveArm(steps, sizing) {
  const { startOllamaDouble } = await dist('test/doubles/index.js');
  const ollama = await startOllamaDouble({ loadMsPerGiB: LOAD_MS_PER_GIB, timeScale: TIME_SCALE });
  const served = {};
  try {
    for (const step of steps) {
      const model = step.task === 'commit' ? SMALL : CODER;
      served[`ollama/${model}`] = (served[`ollama/${model}`] ?? 0) + 1;
      // Aider sizes the context to each prompt when it talks to Ollama itself (reference/aider.md 7).
      const numCtx = sizing === 'aider' ? Math.floor(step.upstreamUsage.inputTokens * 1.25) + 8192 : model === CODER ? 16384 : 8192;
      ollama.setDefault({ kind: 'reply', text: `step ${step.step}`, usage: step.upstreamUsage });
      const response = await fetch(`${ollama.url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: step.request.messages, stream: false, keep_alive: '30m', options: { num_ctx: numCtx } }),
      });
      if (response.status !== 200) throw new Error(`step ${step.step} straight to Ollama answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
      await response.arrayBuffer();
    }
    return {
      name: sizing === 'aider' ? "naive: a model per task, Aider's own num_ctx" : 'naive: a model per task, fixed num_ctx',
      loadsAtStart: 0,
      loads: ollama.loads.length,
      loadSeconds: simulatedSeconds(ollama.loads),
      loadSecondsAtStart: 0,
      loadOrder: ollama.loads.map((load) => load.model),
      served,
      switches: countSwitches(steps.map((step) => (step.task === 'commit' ? SMALL : CODER))),
    };
  } finally {
    await ollama.close();
  }
}

function simulatedSeconds(loads) {
  return loads.reduce((sum, load) => sum + load.durationMs, 0) / TIME_SCALE / 1000;
}

function countSwitches(models) {
  let switches = 0;
  for (let index = 1; index < models.length; index++) if (models[index] !== models[index - 1]) switches++;
  return switches;
}

function countBy(rows, key) {
  const counts = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
}

function verdict(result) {
  const { lodestar } = result.arms;
  const allowed = result.requests / TARGETS.requestsPerLoad;
  return { allowed, met: lodestar.loads <= allowed, firstWarmPaysNoLoad: lodestar.firstWarmedRequest ? lodestar.firstWarmedRequest.loadsBefore === 0 : undefined };
}

function rows(result) {
  return Object.values(result.arms).map((arm) => [
    arm.name,
    String(arm.loadsAtStart),
    `${arm.loadSecondsAtStart.toFixed(1)} s`,
    String(arm.loads),
    `${arm.loadSeconds.toFixed(1)} s`,
    arm.loads ? `1 per ${(result.requests / arm.loads).toFixed(0)} (${(result.localRequests / arm.loads).toFixed(1)} local)` : 'none',
    Object.entries(arm.served)
      .map(([model, count]) => `${model.slice('ollama/'.length)} x${count}`)
      .join(', '),
  ]);
}

const HEADERS = ['routing', 'loads at start', 'their time', 'loads during the day', 'their time', 'requests per load', 'local requests served by'];

function renderText(result) {
  const check = verdict(result);
  const lines = [`Local GPU: ${result.requests} requests, ${result.localRequests} of them local, Ollama on a simulated 4 GB T600`];
  for (const row of rows(result)) lines.push(`  ${row.map((cell, index) => `${HEADERS[index]}: ${cell}`).join('; ')}`);
  lines.push(`  target: at most one load per ${TARGETS.requestsPerLoad} requests (${check.allowed.toFixed(1)} for the day): ${check.met ? 'met' : 'NOT met'}; first request to a warmed model paid no load: ${check.firstWarmPaysNoLoad === undefined ? 'no warmed model served' : check.firstWarmPaysNoLoad ? 'yes' : 'NO'}`);
  return lines.join('\n');
}

function renderMarkdown(result) {
  const check = verdict(result);
  const { lodestar, naiveFixed, naiveAider } = result.arms;
  const first = lodestar.firstWarmedRequest;
  const table = [`| ${HEADERS.join(' | ')} |`, `| ${HEADERS.map(() => '---').join(' | ')} |`, ...rows(result).map((row) => `| ${row.join(' | ')} |`)].join('\n');
  return `## Local GPU: model loads (issue 6)

Measured ${result.date.slice(0, 10)} on Node ${result.node}, by \`npm run bench\` (bench/gpu.js). The Aider-like day of the router bench (${result.requests} requests, one at a time) replayed through a daemon started by \`lodestar start\`, in front of the Ollama double on a simulated 4 GB T600 (about 3.2 GiB usable, one load at a time, eviction as Ollama does it, a reload when num_ctx changes; a load takes ${result.loadMsPerGiB} ms per GiB, the pace of a T600 reading a model from the page cache, reference/ollama-gpu.md section 5), and a fake \`nvidia-smi\` that shows what the double holds in VRAM. Config as in the router bench: \`${JSON.stringify(result.config)}\` (nothing pinned or marked warm: warm-up loads the local model the router picks first for a commit).

Lodestar sent ${result.localRequests} requests to Ollama. The naive arms send those same ${result.localRequests} requests, in the same order, one at a time, straight to a fresh Ollama double: commit messages to ${SMALL} (Aider's weak model), summaries and questions to ${CODER} (the one whose 16k window holds a history summary); once with one fixed num_ctx per model, once with the num_ctx Aider itself sends when it talks to Ollama (int(tokens x 1.25) + 8192, reference/aider.md section 7). Load times are simulated T600 seconds.

${table}

- **Target, at most one load per ${TARGETS.requestsPerLoad} requests: ${check.met ? 'met' : 'NOT met'}.** Lodestar loaded a model ${lodestar.loads} time(s) during the day (${check.allowed.toFixed(1)} allowed for ${result.requests} requests), plus ${lodestar.loadsAtStart} at start (warm-up: ${lodestar.warmup.map((entry) => `${entry.model} ${entry.outcome}`).join(', ') || 'nothing'}). Naive routing switched models ${naiveFixed.switches} times and loaded ${naiveFixed.loads} times with fixed context sizes (${naiveFixed.loadSeconds.toFixed(1)} s of loading), ${naiveAider.loads} times with Aider's own context sizes (${naiveAider.loadSeconds.toFixed(1)} s).
- **The first request to a warmed model paid no load: ${check.firstWarmPaysNoLoad === undefined ? 'no warmed model served a request' : check.firstWarmPaysNoLoad ? 'yes' : 'NO'}.** ${first ? `Step ${first.step} went to ${first.model}; Ollama loaded nothing before it during the day, and reported a load_duration of ${first.loadDurationMs === undefined ? 'none' : `${first.loadDurationMs.toFixed(0)} ms (simulated)`}.` : ''}
- Lodestar's loads during the day, in order: ${lodestar.loadOrder.join(', ') || 'none'}. Failed requests: ${lodestar.failed}.
- Why Lodestar loads less: with no quality floor for commit messages and summaries, the router takes a local model already in VRAM over one that is not; it knows what is in VRAM from /api/ps and from what it sent itself since; and every request for a model carries that model's one num_ctx, so Ollama never reloads a model for a context change. The per-model queue does not come into play here: the day is replayed one request at a time, as Aider sends them; test/e2e/local-gpu.test.ts shows it with concurrent requests.
`;
}
