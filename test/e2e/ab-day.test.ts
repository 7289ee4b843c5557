import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armFor } from '../../src/router/ab-split.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

interface TraceStep {
  step: number;
  kind: string;
  request: { model: string; stream: boolean; messages: unknown[] };
  upstreamUsage: { inputTokens: number; outputTokens: number; cacheReadTokens?: number };
}

// The trace (~22 MB) is generated, deterministically, rather than kept in git (see trace.test.ts).
const TRACE_PATH = join(ROOT, 'test', 'fixtures', 'aider-trace', 'session.jsonl');
if (!existsSync(TRACE_PATH)) execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-aider-trace.mjs'), TRACE_PATH]);
const TRACE: TraceStep[] = readFileSync(TRACE_PATH, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceStep);
/** The day has six launches of Aider (the trace's README); it marks none, so it is cut in six even stretches, a session each. */
const LAUNCHES = 6;

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway({ config: { providers: { ollama: { models: { 'qwen2.5-coder:3b': { numCtx: 16384 } } } } }, env: { ANTHROPIC_API_KEY: '' } });
});
afterAll(async () => {
  await gateway?.stop();
});

/** Session names whose arms alternate (the test names its sessions; a split of six by chance could leave an arm empty). */
function balancedSessions(experiment: string): string[] {
  return Array.from({ length: LAUNCHES }, (_, launch) => {
    const wanted = launch % 2 === 0 ? 'a' : 'b';
    for (let attempt = 0; ; attempt++) {
      const name = `day-${launch}-${attempt}`;
      if (armFor(experiment, name, 50) === wanted) return name;
    }
  });
}

describe('an A/B experiment over a replayed day', () => {
  it("reports each arm's cost and apply rate, with a verdict", { timeout: 120_000 }, async () => {
    const start = await runCli(['ab', 'start', '--task', 'edit', '--models', 'deepseek/deepseek-flash,openai/gpt-5'], { home: gateway.home });
    expect(start.exitCode, start.stderr).toBe(0);
    const id = /Started (ab-edit-[\d-]+):/.exec(start.stdout)?.[1] as string;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const sessions = balancedSessions(id);
    const perLaunch = Math.ceil(TRACE.length / LAUNCHES);
    for (const [index, step] of TRACE.entries()) {
      for (const double of [gateway.openai, gateway.deepseek, gateway.ollama]) double.setDefault({ kind: 'reply', text: `step ${step.step}`, usage: step.upstreamUsage });
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', 'x-lodestar-session': sessions[Math.floor(index / perLaunch)] as string, 'x-lodestar-project': 'invoicing' },
        body: JSON.stringify(step.request),
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`step ${step.step} (${step.kind}): ${response.status} ${text.slice(0, 300)}`);
    }

    const status = await runCli(['ab', 'status', '--json'], { home: gateway.home });
    const [report] = JSON.parse(status.stdout) as Array<{ verdict: string; enoughData: boolean; arms: Array<{ model: string; sessions: number; requests: number; edits: number; costUsd: number; applyRate: number; costPerEdit: { mean: number } }> }>;
    const [a, b] = report?.arms ?? [];
    // The edit task's requests of the day (edits, lint fixes, the editor's half of /architect), by arm: three sessions each.
    const edits = TRACE.filter((step) => ['edit', 'reflection', 'editor'].includes(step.kind)).length;
    expect((a?.edits ?? 0) + (b?.edits ?? 0)).toBe(edits);
    expect(a).toMatchObject({ model: 'deepseek/deepseek-flash', sessions: 3, applyRate: 1 });
    expect(b).toMatchObject({ model: 'openai/gpt-5', sessions: 3, applyRate: 1 });
    expect(a?.costUsd).toBeGreaterThan(0);
    // Priced from the tokens the trace's upstreams reported: GPT-5 costs several times DeepSeek's price for the same work.
    expect((b?.costPerEdit.mean ?? 0) / (a?.costPerEdit.mean ?? 1)).toBeGreaterThan(3);
    expect(report?.enoughData).toBe(true);
    expect(report?.verdict).toMatch(/^The edits apply about as often \(100% on A, 100% on B: no difference at 95%\), and A is cheaper \(\$[\d.]+ against \$[\d.]+ an edit\): prefer A \(deepseek\/deepseek-flash\)\.$/);
  });
});
