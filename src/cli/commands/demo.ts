import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { lodestarPaths } from '../../config/paths.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import { PACKAGE_ROOT } from '../../shared/package-info.js';
import { readToken } from '../../shared/token.js';
import { callDaemon } from '../daemon-client.js';
import type { CliContext } from '../context.js';
import { DEMO_SESSION, type SessionStep } from '../demo/aider-session.js';
import { spawnDaemon, stopDaemon } from '../daemon-control.js';
import { subscribeToEvents } from '../../shared/events-client.js';
import { renderTable } from '../output/table.js';

/** The doubles are test code, compiled next to the CLI; loaded only when the demo runs. */
type Doubles = typeof import('../../../test/doubles/index.js');

interface DemoReport {
  simulated: true;
  requests: Array<Pick<RequestEvent, 'task' | 'requestedModel' | 'model' | 'status' | 'usage' | 'costUsd' | 'baselineCostUsd' | 'latencyMs' | 'fallbacks'> & { step: string }>;
  totals: { requests: number; inputTokens: number; outputTokens: number; costUsd: number; baselineCostUsd: number; savedUsd: number; savedPercent: number };
  baselineModel: string;
  /** The simulated GPU: what warm-up loaded before the session, and the loads during it. */
  gpu: { name: string | undefined; warmup: Array<{ model: string; outcome: string; ms?: number }>; loadsDuringSession: number };
}

/** The fake nvidia-smi of the tests: it shows what the Ollama double holds (a clone has it). */
const FAKE_NVIDIA_SMI_BIN = join(PACKAGE_ROOT, 'test', 'fixtures', 'bin');

export function registerDemo(program: Command, context: CliContext): void {
  program
    .command('demo')
    .description('run the daemon against simulated providers and a simulated GPU, send a short Aider-like session, and show routes, tokens, costs and savings')
    .option('--json', 'print JSON only')
    .option('--keep', 'keep the temporary state folder (ledger, logs) and print where it is')
    .action(async (options: { json?: boolean; keep?: boolean }) => {
      const report = await runDemo(context, options);
      if (options.json) context.output.json(report);
    });
}

async function runDemo(context: CliContext, options: { json?: boolean; keep?: boolean }): Promise<DemoReport> {
  const { output } = context;
  const say = (text: string): void => {
    if (!options.json) output.line(text);
  };
  say('Lodestar demo: SIMULATED providers (Anthropic, DeepSeek, OpenAI) and a SIMULATED Ollama on a simulated 4 GB GPU.');
  say('No keys and no Ollama are needed; nothing is sent anywhere, and your own ledger is not touched.');
  say('No routing rule of your own: the quality evidence Lodestar ships decides (deepseek/deepseek-flash, for one, takes the 70.2% Aider measured for its predecessor deepseek-chat; `lodestar models list` shows every score and where it comes from).');
  say('');

  const doubles: Doubles = await import('../../../test/doubles/index.js');
  const home = mkdtempSync(join(tmpdir(), 'lodestar-demo-'));
  const paths = lodestarPaths(home);
  const gpuDir = join(home, 'simulated-gpu');
  const simulateSmi = existsSync(join(FAKE_NVIDIA_SMI_BIN, 'nvidia-smi'));
  const upstreams = await Promise.all([
    doubles.startOllamaDouble(simulateSmi ? { nvidiaSmiDir: gpuDir } : {}),
    doubles.startAnthropicDouble({ apiKey: 'demo-anthropic-key-0000' }),
    doubles.startOpenAIDouble({ flavor: 'deepseek', apiKey: 'demo-deepseek-key-0000' }),
    doubles.startOpenAIDouble({ flavor: 'openai', apiKey: 'demo-openai-key-0000' }),
  ]);
  const [ollama, anthropic, deepseek, openai] = upstreams;
  // No routing rule of the user's: the shipped evidence alone decides (deepseek-flash takes the
  // 70.2% Aider measured for its predecessor deepseek-chat, by the successor rule).
  writeFileSync(
    paths.config,
    JSON.stringify(
      {
        providers: { ollama: { models: { 'qwen2.5-coder:3b': { numCtx: 8192, keepAlive: '30m' } } } },
      },
      null,
      2,
    ),
    { mode: 0o600 },
  );
  const env: NodeJS.ProcessEnv = {
    PATH: simulateSmi ? `${FAKE_NVIDIA_SMI_BIN}:${context.env.PATH ?? ''}` : context.env.PATH,
    ...(simulateSmi ? { FAKE_NVIDIA_SMI_DIR: gpuDir } : {}),
    HOME: context.env.HOME,
    LODESTAR_HOME: home,
    OLLAMA_HOST: ollama.url,
    ANTHROPIC_API_KEY: 'demo-anthropic-key-0000',
    ANTHROPIC_BASE_URL: anthropic.url,
    DEEPSEEK_API_KEY: 'demo-deepseek-key-0000',
    DEEPSEEK_BASE_URL: deepseek.url,
    OPENAI_API_KEY: 'demo-openai-key-0000',
    OPENAI_BASE_URL: openai.url,
  };

  let daemon: Awaited<ReturnType<typeof spawnDaemon>> | undefined;
  let events: { close: () => void } | undefined;
  try {
    daemon = await spawnDaemon(paths, 0, env);
    const token = readToken(paths.token) ?? '';
    const finished: RequestEvent[] = [];
    let notify: (() => void) | undefined;
    events = await subscribeToEvents(daemon.state.port, token, (event) => {
      if (event.type !== 'request') return;
      finished.push(event.data as RequestEvent);
      notify?.();
    });
    say(`Daemon on ${daemon.state.url} (pid ${daemon.state.pid}).`);
    // As after `lodestar start`: warm-up loads the local model commit messages will go to.
    const gpu = await waitForWarmup(daemon.state.port);
    const warmed = gpu.warmup.filter((entry) => entry.outcome === 'loaded').map((entry) => `${entry.model} in ${((entry.ms ?? 0) / 1000).toFixed(1)} s`);
    say(`Simulated GPU: ${gpu.name ?? 'a 4 GB card'}; warm-up loaded ${warmed.length ? warmed.join(', ') : 'nothing'}.`);
    const loadsBefore = ollama.loads.length;
    say(`Sending ${DEMO_SESSION.length} requests the way Aider (and Codex, once) would:`);
    say('');

    const steps: Array<{ step: SessionStep; event: RequestEvent }> = [];
    for (const step of DEMO_SESSION) {
      for (const upstream of upstreams) upstream.setDefault({ kind: 'reply', text: step.reply, chunkSize: 24 });
      if (step.trouble) {
        const target = { anthropic, deepseek, openai }[step.trouble.provider];
        target.enqueue({
          kind: 'error',
          status: step.trouble.status,
          type: step.trouble.type,
          message: step.trouble.message,
          ...(step.trouble.retryAfter ? { headers: { 'retry-after': step.trouble.retryAfter } } : {}),
        });
      }
      const before = finished.length;
      const arrived = new Promise<void>((resolve) => {
        notify = () => {
          if (finished.length > before) resolve();
        };
      });
      await send(daemon.state.port, token, step);
      await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      const event = finished[before];
      if (event) steps.push({ step, event });
    }

    const report = summarize(steps, { ...gpu, loadsDuringSession: ollama.loads.length - loadsBefore });
    if (!options.json) printReport(context, report);
    if (options.keep) say(`\nState kept in ${home} (try: LODESTAR_HOME=${home} lodestar status).`);
    return report;
  } finally {
    events?.close();
    if (daemon) await stopDaemon(daemon.state, 10_000, true);
    await Promise.all(upstreams.map((upstream) => upstream.close()));
    if (!options.keep) rmSync(home, { recursive: true, force: true });
  }
}

async function send(port: number, token: string, step: SessionStep): Promise<void> {
  const responses = step.api === 'responses';
  const response = await fetch(`http://127.0.0.1:${port}/p/demo/v1/${responses ? 'responses' : 'chat/completions'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'user-agent': responses ? 'lodestar-demo (Codex-like)' : 'lodestar-demo (Aider-like)' },
    body: JSON.stringify(responses ? asResponsesRequest(step) : { model: step.model, messages: step.messages, stream: step.stream, temperature: 0 }),
  });
  // Read the whole answer, streamed or not, as a client would.
  await response.text();
}

/** A step in the Responses API's shape, as Codex sends its turns: items, function tools, the whole history. */
function asResponsesRequest(step: SessionStep): Record<string, unknown> {
  const input = step.messages.flatMap((message): Array<Record<string, unknown>> => {
    if (message.role === 'tool') return [{ type: 'function_call_output', call_id: message.tool_call_id, output: String(message.content ?? '') }];
    if (message.tool_calls) return message.tool_calls.map((call) => ({ type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments }));
    return [{ type: 'message', role: message.role, content: [{ type: 'input_text', text: String(message.content ?? '') }] }];
  });
  const tool = { type: 'function', name: 'exec_command', description: 'Runs a shell command', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] }, strict: false };
  return { model: step.model, input, tools: [tool], tool_choice: 'auto', stream: step.stream, store: false };
}

/** Waits (up to 10 s) for the daemon's warm-up, and reads the simulated GPU's name from /health. */
async function waitForWarmup(port: number): Promise<Omit<DemoReport['gpu'], 'loadsDuringSession'>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const reply = await callDaemon({ port }, '/health').catch(() => undefined);
    const health = (reply?.body ?? {}) as { ollama?: { warmup?: { state?: string; results?: DemoReport['gpu']['warmup'] } }; gpu?: { gpus?: Array<{ name?: string }> } };
    const warmup = health.ollama?.warmup;
    if ((warmup?.state === 'done' && health.gpu?.gpus) || Date.now() > deadline) {
      return { name: health.gpu?.gpus?.[0]?.name, warmup: (warmup?.results ?? []).map(({ model, outcome, ms }) => ({ model, outcome, ...(ms === undefined ? {} : { ms }) })) };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function summarize(steps: ReadonlyArray<{ step: SessionStep; event: RequestEvent }>, gpu: DemoReport['gpu']): DemoReport {
  const requests = steps.map(({ step, event }) => ({
    step: step.label,
    task: event.task,
    requestedModel: event.requestedModel,
    model: event.model,
    status: event.status,
    usage: event.usage,
    costUsd: event.costUsd,
    baselineCostUsd: event.baselineCostUsd,
    latencyMs: event.latencyMs,
    fallbacks: event.fallbacks,
  }));
  const sum = (pick: (entry: (typeof requests)[number]) => number | undefined): number => requests.reduce((total, entry) => total + (pick(entry) ?? 0), 0);
  const costUsd = sum((entry) => entry.costUsd);
  const baselineCostUsd = sum((entry) => entry.baselineCostUsd);
  const savedUsd = baselineCostUsd - costUsd;
  return {
    simulated: true,
    requests,
    totals: {
      requests: requests.length,
      inputTokens: sum((entry) => entry.usage.inputTokens),
      outputTokens: sum((entry) => entry.usage.outputTokens),
      costUsd,
      baselineCostUsd,
      savedUsd,
      savedPercent: baselineCostUsd > 0 ? (savedUsd / baselineCostUsd) * 100 : 0,
    },
    baselineModel: steps[0]?.event.baselineModel ?? '',
    gpu,
  };
}

function printReport(context: CliContext, report: DemoReport): void {
  const rows = report.requests.map((entry, index) => [
    String(index + 1),
    entry.step,
    entry.task ?? '-',
    entry.requestedModel,
    entry.model ?? `failed: ${entry.status}`,
    String(entry.usage.inputTokens ?? '?'),
    String(entry.usage.outputTokens ?? '?'),
    money(entry.costUsd),
    money(entry.baselineCostUsd),
    entry.fallbacks.length ? `after ${entry.fallbacks.map((attempt) => `${attempt.model} (${attempt.status ?? 'error'})`).join(', ')}` : '',
  ]);
  context.output.line(
    renderTable(
      [
        { header: '#', align: 'right' },
        { header: 'step', flexible: true },
        { header: 'task' },
        { header: 'asked for' },
        { header: 'served by' },
        { header: 'in', align: 'right' },
        { header: 'out', align: 'right' },
        { header: 'cost', align: 'right' },
        { header: 'baseline', align: 'right' },
        { header: 'note', flexible: true },
      ],
      rows,
      context.output.isTTY ? context.output.columns : 200,
    ),
  );
  const totals = report.totals;
  context.output.line('');
  context.output.line(
    `${totals.requests} requests, ${totals.inputTokens} tokens in, ${totals.outputTokens} out: ${money(totals.costUsd)} spent; ${money(totals.baselineCostUsd)} on ${report.baselineModel} alone; saved ${money(totals.savedUsd)} (${totals.savedPercent.toFixed(1)}%).`,
  );
  const local = report.requests.filter((entry) => entry.model?.startsWith('ollama/')).length;
  context.output.line(`${local} requests ran on the simulated GPU; Ollama loaded a model ${report.gpu.loadsDuringSession} time(s) during the session (the router keeps to the model in VRAM).`);
  context.output.line('Prices are the real list prices of the models named; the providers and their answers were simulated.');
}

function money(value: number | undefined): string {
  if (value === undefined) return 'unknown';
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toFixed(5)}` : `$${value.toFixed(4)}`;
}
