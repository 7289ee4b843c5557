import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeToEvents } from '../../src/shared/events-client.js';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { ROOT } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

/** One line of test/fixtures/aider-trace/session.jsonl (scripts/make-aider-trace.mjs). */
interface TraceStep {
  step: number;
  task: string;
  kind: string;
  model: string;
  request: { model: string; stream: boolean; messages: unknown[] };
  upstreamUsage: { inputTokens: number; outputTokens: number; cacheReadTokens?: number };
}

interface RouteEvent {
  task: string;
  candidates: string[];
  considered: Array<{ id: string; quality: number | undefined }>;
}

/**
 * The product's intended default for a user with DeepSeek and OpenAI keys and Ollama: the 3B
 * coder gets a 16k window (summaries need more than the 8k default), and deepseek-flash, which
 * has no benchmark row of its own, takes the score of its predecessor deepseek-chat (the
 * documented `sameAs` rule).
 */
const CONFIG = {
  providers: { ollama: { models: { 'qwen2.5-coder:3b': { numCtx: 16384 } } } },
  models: { 'deepseek/deepseek-flash': { sameAs: 'deepseek/deepseek-chat' } },
};
const FLOOR = 70;
const NEEDS_FLOOR = new Set(['edit', 'architect', 'long-context']);

// The trace (~22 MB) is generated, deterministically, rather than kept in git.
const TRACE_PATH = join(ROOT, 'test', 'fixtures', 'aider-trace', 'session.jsonl');
if (!existsSync(TRACE_PATH)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-aider-trace.mjs'), TRACE_PATH]);
const TRACE: TraceStep[] = readFileSync(TRACE_PATH, 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as TraceStep);

let gateway: Gateway;
const routes: RouteEvent[] = [];
let closeRoutes: (() => void) | undefined;

beforeAll(async () => {
  gateway = await startGateway({ config: CONFIG, env: { ANTHROPIC_API_KEY: '' } });
  const subscription = await subscribeToEvents(gateway.port, gateway.token, (event) => {
    if (event.type === 'route') routes.push(event.data as RouteEvent);
  });
  closeRoutes = subscription.close;
});

afterAll(async () => {
  closeRoutes?.();
  await gateway?.stop();
});

async function replay(step: TraceStep): Promise<void> {
  const doubles = [gateway.openai, gateway.deepseek, gateway.anthropic, gateway.ollama];
  // Whichever upstream the router picks answers with the usage a real one reported for this
  // step: set as every double's default rather than queued, since a queued behaviour the router
  // did not use would answer a later step, and reset() would also unload the Ollama double's models.
  for (const double of doubles) double.setDefault({ kind: 'reply', text: `step ${step.step}`, usage: step.upstreamUsage });
  const response = await fetch(`${gateway.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(step.request),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`step ${step.step} (${step.kind}): ${response.status} ${text.slice(0, 500)}`);
}

describe(`an Aider-like day replayed through the daemon (all ${TRACE.length} steps of test/fixtures/aider-trace, one at a time)`, () => {
  it('classifies every request as the trace expects, serves edits and plans at the quality floor, and commits and summaries locally for free', { timeout: 60_000 }, async () => {
    const events: RequestEvent[] = [];
    for (const [index, step] of TRACE.entries()) {
      await replay(step);
      events.push((await gateway.waitForEvents(index + 1))[index] as RequestEvent);
    }
    expect(events).toHaveLength(TRACE.length);
    // The trace repeats no request, so none is answered from the response cache and each has a
    // route event, published before the request goes upstream (on another connection).
    expect(events.filter((event) => event.cacheHit).map((event) => event.id)).toEqual([]);
    for (let wait = 0; routes.length < TRACE.length && wait < 50; wait++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(routes).toHaveLength(TRACE.length);

    // Every request answered by the first candidate, without fallbacks.
    const troubled = events.flatMap((event, index) => (event.status === 'ok' && !event.fallbacks.length ? [] : [{ step: TRACE[index]?.step, status: event.status, fallbacks: event.fallbacks }]));
    expect(troubled).toEqual([]);
    expect(events.map((event) => event.requestedModel)).toEqual(TRACE.map((step) => step.model));

    // The usage the upstream reported is what the ledger recorded.
    const usage = events.map((event, index) => ({ step: TRACE[index]?.step, input: event.usage.inputTokens, output: event.usage.outputTokens }));
    expect(usage).toEqual(TRACE.map((step) => ({ step: step.step, input: step.upstreamUsage.inputTokens, output: step.upstreamUsage.outputTokens })));

    const tasks = events.map((event, index) => ({ step: TRACE[index]?.step, task: event.task }));
    expect(tasks).toEqual(TRACE.map((step) => ({ step: step.step, task: step.task })));
    for (const task of ['commit', 'summary', 'edit', 'architect', 'chat', 'long-context']) expect(TRACE.some((step) => step.task === task)).toBe(true);

    const belowFloor = [];
    const notLocal = [];
    for (const [index, step] of TRACE.entries()) {
      const event = events[index] as RequestEvent;
      const route = routes[index] as RouteEvent;
      expect(route.task).toBe(step.task);
      if (NEEDS_FLOOR.has(step.task)) {
        const quality = route.considered.find((entry) => entry.id === event.model)?.quality;
        if (quality === undefined || quality < FLOOR) belowFloor.push({ step: step.step, task: step.task, model: event.model, quality });
      }
      if (step.task === 'commit' || step.task === 'summary') {
        if (event.provider !== 'ollama' || event.costUsd !== 0) notLocal.push({ step: step.step, task: step.task, model: event.model, costUsd: event.costUsd });
      }
    }
    expect(belowFloor).toEqual([]);
    expect(notLocal).toEqual([]);
  });
});
