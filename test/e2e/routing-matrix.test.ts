import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPICAL_AGENT_TURN, TYPICAL_SESSION } from '../../src/router/typical-session.js';
import { ARCHITECT_MAIN_SYSTEM, ASK_MAIN_SYSTEM, COMMIT_SYSTEM, EDIT_MAIN_SYSTEM, SUMMARIZE } from '../../src/shared/aider-prompts.js';
import { startAnthropicDouble, startOllamaDouble, startOpenAIDouble, type Double, type OpenAIFlavor } from '../doubles/index.js';
import { cleanupHome, daemonState, runCli, tempHome } from '../helpers/cli.js';

/**
 * Issue 11's matrix: for each common set of provider keys (each alone, Ollama alone, the usual
 * pairs), every task through lodestar/auto, with Aider's own prompts at the sizes `models
 * recommend` assumes, goes to a model a user of those providers would pick, or to a 503 that
 * says what to set; and `lodestar models recommend` names the same model in every cell.
 * No rule of the user's: the shipped evidence alone.
 */
type Cloud = Exclude<OpenAIFlavor, 'openai'> | 'openai' | 'anthropic';
type Provider = Cloud | 'ollama';
type Task = 'edit' | 'architect' | 'long-context' | 'commit' | 'summary' | 'chat' | 'agent';
const TASKS: Task[] = ['edit', 'architect', 'long-context', 'commit', 'summary', 'chat', 'agent'];

const ENV_NAME: Record<Cloud, string> = {
  openai: 'OPENAI',
  anthropic: 'ANTHROPIC',
  deepseek: 'DEEPSEEK',
  openrouter: 'OPENROUTER',
  gemini: 'GEMINI',
  groq: 'GROQ',
  mistral: 'MISTRAL',
};

/** What serves each task: a model id pattern, or a 503 whose message matches. */
type Expectation = Record<Task, RegExp | { status: 503; message: RegExp }>;
/** An agent's loop is judged on SWE-bench Verified (floor 65): by default the edit models, where a cell's agentic evidence says otherwise, its own. */
const strongAndCheap = (strong: RegExp, cheap: RegExp, agent: Expectation['agent'] = strong): Expectation => ({ edit: strong, architect: strong, 'long-context': strong, commit: cheap, summary: cheap, chat: cheap, agent });
const SET_A_KEY = { status: 503 as const, message: /Set [A-Z]+_API_KEY \([a-z]+\/[^ ]+ would serve it\)/ };

const CELLS: Array<{ keys: Provider[]; expect: Expectation }> = [
  // Haiku 4.5 resolves 73.3% of SWE-bench Verified: the cheapest Claude above the agent floor.
  { keys: ['anthropic'], expect: strongAndCheap(/^anthropic\/claude-sonnet-4-[56]$/, /^anthropic\/claude-haiku-4-5$/, /^anthropic\/claude-haiku-4-5$/) },
  { keys: ['openai'], expect: strongAndCheap(/^openai\/gpt-5$/, /^openai\/gpt-5-nano$/) },
  { keys: ['deepseek'], expect: strongAndCheap(/^deepseek\/deepseek-flash$/, /^deepseek\/deepseek-flash$/) },
  { keys: ['gemini'], expect: strongAndCheap(/^gemini\/gemini-2\.5-pro$/, /^gemini\/gemini-2\.5-flash$/) },
  { keys: ['openrouter'], expect: strongAndCheap(/^openrouter\/(deepseek\/deepseek-v3\.2-exp|anthropic\/claude-sonnet-4\.5)$/, /^openrouter\//) },
  // Groq's models: none is known to meet the edit floor; Kimi K2 (59.1% measured) is its best.
  { keys: ['groq'], expect: strongAndCheap(/^groq\/moonshotai\/kimi-k2-instruct$/, /^groq\/openai\/gpt-oss-120b$/) },
  { keys: ['mistral'], expect: strongAndCheap(/^mistral\/devstral-medium-latest$/, /^mistral\/codestral-latest$/) },
  // Ollama alone: edits by tier on the local model whose window holds them; no local model holds a long context.
  // An agent's turn (30k tokens of prompt and tools) fits no local window either.
  { keys: ['ollama'], expect: { ...strongAndCheap(/^ollama\/qwen2\.5-coder:3b$/, /^ollama\/qwen2\.5-coder:/), 'long-context': SET_A_KEY, agent: SET_A_KEY } },
  { keys: ['anthropic', 'ollama'], expect: strongAndCheap(/^anthropic\/claude-sonnet-4-[56]$/, /^ollama\/qwen2\.5-coder:/, /^anthropic\/claude-haiku-4-5$/) },
  { keys: ['openai', 'anthropic'], expect: strongAndCheap(/^openai\/gpt-5$/, /^openai\/gpt-5-nano$/, /^anthropic\/claude-haiku-4-5$/) },
  { keys: ['openai', 'deepseek', 'ollama'], expect: strongAndCheap(/^deepseek\/deepseek-flash$/, /^ollama\/qwen2\.5-coder:/) },
  { keys: ['anthropic', 'deepseek'], expect: strongAndCheap(/^deepseek\/deepseek-flash$/, /^deepseek\/deepseek-flash$/) },
  { keys: ['gemini', 'ollama'], expect: strongAndCheap(/^gemini\/gemini-2\.5-pro$/, /^ollama\/qwen2\.5-coder:/) },
  { keys: ['groq', 'ollama'], expect: strongAndCheap(/^groq\/moonshotai\/kimi-k2-instruct$/, /^ollama\/qwen2\.5-coder:/) },
];

const doubles = new Map<Cloud, Double>();
let ollama: Double;

beforeAll(async () => {
  const flavors: OpenAIFlavor[] = ['openai', 'deepseek', 'openrouter', 'gemini', 'groq', 'mistral'];
  const started = await Promise.all([...flavors.map((flavor) => startOpenAIDouble({ flavor, apiKey: keyOf(flavor) })), startAnthropicDouble({ apiKey: keyOf('anthropic') }), startOllamaDouble()]);
  flavors.forEach((flavor, index) => doubles.set(flavor, started[index] as Double));
  doubles.set('anthropic', started[flavors.length] as Double);
  ollama = started[flavors.length + 1] as Double;
});
afterAll(async () => {
  await Promise.all([...doubles.values(), ollama].map((double) => double?.close()));
});

function keyOf(provider: Cloud): string {
  return `placeholder-matrix-${provider}`;
}

/** A coding agent's turn: its prompt and a tool, a tool result coming back, at the size `models recommend` assumes. */
function agentTurn(): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  const code = 'const value = f(1);\n'.repeat(Math.floor((TYPICAL_AGENT_TURN.input * 3.5 - 400) / 20));
  return {
    model: 'lodestar/auto',
    max_tokens: TYPICAL_AGENT_TURN.output,
    tools: [{ type: 'function', function: { name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] } } }],
    messages: [
      { role: 'system', content: 'You are a coding agent running in the Codex CLI, a terminal-based coding assistant.' },
      { role: 'user', content: 'Fix the failing test.' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"cat src/main.ts"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: code },
    ],
  };
}

/** Aider's prompt for the task, padded with code to the size `models recommend` assumes for it. */
function request(task: Task): OpenAI.Chat.ChatCompletionCreateParamsNonStreaming {
  if (task === 'agent') return agentTurn();
  const typical = TYPICAL_SESSION.find((part) => part.task === task) ?? { input: 100_000, output: 1200 };
  const system = { edit: EDIT_MAIN_SYSTEM, architect: ARCHITECT_MAIN_SYSTEM, 'long-context': EDIT_MAIN_SYSTEM, chat: ASK_MAIN_SYSTEM, commit: COMMIT_SYSTEM, summary: SUMMARIZE, agent: '' }[task];
  // 3.5 characters a token, as the daemon estimates; a line of code is ~32 characters.
  const lines = Math.max(0, Math.floor((typical.input * 3.5 - system.length) / 32));
  let code = '';
  for (let line = 0; line < lines; line++) code += `const value${String(line).padStart(6, '0')} = f(${line % 97});\n`;
  return {
    model: 'lodestar/auto',
    max_tokens: typical.output,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: `${code}\nDo the ${task} now.` },
    ],
  };
}

async function runCell(keys: Provider[]): Promise<{ served: Record<Task, { status: number; model?: string; message?: string; quality?: string }>; recommended: Record<Task, string | undefined>; log: string }> {
  const home = tempHome('lodestar-matrix-');
  const env: Record<string, string> = {};
  for (const key of keys) {
    if (key === 'ollama') continue;
    env[`${ENV_NAME[key]}_API_KEY`] = keyOf(key);
    env[`${ENV_NAME[key]}_BASE_URL`] = (doubles.get(key) as Double).url;
  }
  const local = keys.includes('ollama');
  if (local) env.OLLAMA_HOST = ollama.url;
  // The 3B coder with a 16k window (as the bench configures it) can hold a typical edit; without Ollama, none.
  const config = local ? { providers: { ollama: { models: { 'qwen2.5-coder:3b': { numCtx: 16384 } } } } } : { providers: { ollama: { enabled: false } } };
  writeFileSync(join(home, 'config.json'), JSON.stringify(config), { mode: 0o600 });
  try {
    const started = await runCli(['start', '--port', '0'], { home, env });
    if (started.exitCode !== 0) throw new Error(`lodestar start failed: ${started.stderr}`);
    const state = daemonState(home) as { port: number };
    const token = readFileSync(join(home, 'token'), 'utf8').trim();
    const client = new OpenAI({ baseURL: `http://127.0.0.1:${state.port}/v1`, apiKey: token, maxRetries: 0 });
    const served = {} as Record<Task, { status: number; model?: string; message?: string; quality?: string }>;
    for (const task of TASKS) {
      try {
        const { response } = await client.chat.completions.create(request(task)).withResponse();
        served[task] = { status: response.status, model: response.headers.get('x-lodestar-model') ?? undefined, quality: response.headers.get('x-lodestar-quality') ?? undefined };
      } catch (error) {
        if (!(error instanceof OpenAI.APIError)) throw error;
        served[task] = { status: error.status ?? 0, message: error.message };
      }
    }
    const recommended = {} as Record<Task, string | undefined>;
    await Promise.all(
      TASKS.map(async (task) => {
        const result = await runCli(['models', 'recommend', '--task', task, '--json'], { home, env });
        if (result.exitCode !== 0) throw new Error(`models recommend --task ${task} failed: ${result.stderr}`);
        recommended[task] = (JSON.parse(result.stdout) as { choice?: string }).choice;
      }),
    );
    return { served, recommended, log: readFileSync(join(home, 'logs', 'daemon.log'), 'utf8') };
  } finally {
    await runCli(['stop', '--force', '--timeout', '5'], { home, env });
    cleanupHome(home);
  }
}

describe('every common key set routes every task through lodestar/auto', () => {
  for (const cell of CELLS) {
    it(`${cell.keys.join(' + ')}`, async () => {
      const { served, recommended, log } = await runCell(cell.keys);
      for (const task of TASKS) {
        const expected = cell.expect[task];
        const got = served[task];
        if (expected instanceof RegExp) {
          expect(got, `${task}: ${JSON.stringify(got)}`).toMatchObject({ status: 200 });
          expect(got.model, task).toMatch(expected);
          expect(got.quality, task).toMatch(/^(measured|lineage|calibrated) [\d.]+(\+\/-[\d.]+)?$|^unknown; tier (frontier|mid|small)$/);
          // The router's ranking, run by the CLI over the same models, names the same one.
          expect(recommended[task], `models recommend --task ${task}`).toBe(got.model);
        } else {
          expect(got.status, task).toBe(503);
          expect(got.message, task).toMatch(expected.message);
          expect(recommended[task], `models recommend --task ${task}`).toBeUndefined();
        }
      }
      // The paid models without evidence are named once, at start.
      expect(log.split('\n').filter((line) => line.includes('models without quality evidence')).length).toBeLessThanOrEqual(1);
    }, 90_000);
  }
});
