import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armFor } from '../../src/router/ab-split.js';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

const SYSTEM = 'Act as an expert software developer.\nTake requests for changes to the supplied code.';
const FAILED = '# 1 SEARCH/REPLACE block failed to match!\n\n## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in app.py\n<<<<<<< SEARCH\ndef greet():\n=======\ndef hello():\n>>>>>>> REPLACE\n\nThe SEARCH section must exactly match an existing block of lines including all white space, comments, indentation, docstrings, etc';

describe('lodestar ab', () => {
  it("shows an experiment on the web UI's list as soon as it starts, though the list is kept a few seconds", async () => {
    const list = async (): Promise<Array<{ id: string; stoppedAt?: string }>> => {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/api/ui/experiments`, { headers: { authorization: `Bearer ${gateway.token}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { experiments: Array<{ id: string; stoppedAt?: string }> }).experiments;
    };
    const before = await list();
    const start = await runCli(['ab', 'start', '--task', 'architect', '--models', 'deepseek/deepseek-flash,openai/gpt-5', '--project', 'listed'], { home: gateway.home });
    expect(start.exitCode, start.stderr).toBe(0);
    const id = /Started (ab-architect-[\d-]+):/.exec(start.stdout)?.[1] as string;
    expect(before.map((experiment) => experiment.id)).not.toContain(id);
    expect((await list()).map((experiment) => experiment.id)).toContain(id);
    expect((await runCli(['ab', 'stop', '--task', 'architect', '--project', 'listed'], { home: gateway.home })).exitCode).toBe(0);
    expect((await list()).find((experiment) => experiment.id === id)).toMatchObject({ stoppedAt: expect.any(String) });
  });

  it("splits a task's sessions between two models, reads Aider's failed edits, and judges the arms from the ledger", async () => {
    const start = await runCli(['ab', 'start', '--task', 'edit', '--models', 'deepseek/deepseek-flash,openai/gpt-5', '--split', '50'], { home: gateway.home });
    expect(start.exitCode, start.stderr).toBe(0);
    const id = /Started (ab-edit-[\d-]+):/.exec(start.stdout)?.[1] as string;
    expect(id).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the daemon looks at the file at most once a second

    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const edit = (session: string, text: string) =>
      client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: text }] }, { headers: { 'x-lodestar-session': session, 'x-lodestar-project': 'shop' } }).withResponse();
    const sessions = Array.from({ length: 60 }, (_, index) => `20261203-1000-s${index}`);
    let failuresOnA = 0;
    for (const [index, session] of sessions.entries()) {
      const arm = armFor(id, session, 50);
      const { response } = await edit(session, 'Rename greet to hello in app.py');
      // Each session's requests go to its arm's model.
      expect(response.headers.get('x-lodestar-model')).toBe(arm === 'a' ? 'deepseek/deepseek-flash' : 'openai/gpt-5');
      // Every other session on A: Aider says the edit did not apply, and asks again.
      if (arm === 'a' && index % 2 === 0) {
        failuresOnA++;
        await edit(session, FAILED);
      }
    }
    const armA = sessions.filter((session) => armFor(id, session, 50) === 'a').length;
    expect(Math.abs(armA - 30)).toBeLessThanOrEqual(8);

    const rated = await runCli(['ab', 'rate', 'good'], { home: gateway.home });
    expect(rated.exitCode, rated.stderr).toBe(0);
    expect(rated.stdout).toMatch(new RegExp(`Rated session ${sessions.at(-1)} \\(${id}, arm [AB]\\) good\\.`));

    const status = await runCli(['ab', 'status', '--json'], { home: gateway.home });
    const [report] = JSON.parse(status.stdout) as Array<{ id: string; enoughData: boolean; verdict: string; arms: Array<{ arm: string; model: string; sessions: number; edits: number; failedEdits: number; costUsd: number; ratings: { good: number } }> }>;
    expect(report?.id).toBe(id);
    expect(report?.arms[0]).toMatchObject({ arm: 'a', model: 'deepseek/deepseek-flash', sessions: armA, edits: armA + failuresOnA, failedEdits: failuresOnA });
    expect(report?.arms[1]).toMatchObject({ arm: 'b', model: 'openai/gpt-5', sessions: 60 - armA, edits: 60 - armA, failedEdits: 0 });
    expect(report?.enoughData).toBe(true);
    expect(report?.verdict).toMatch(/^B's edits apply more often .*, and A is cheaper .*: the better one costs more, your call\.$/);
    const text = await runCli(['ab', 'status'], { home: gateway.home });
    expect(text.stdout).toContain(`${id} (running): edit, 50% of sessions to A`);
    expect(text.stdout).toContain(`Verdict: ${report?.verdict}`);

    // The arm is a dimension of the ledger's reports, as of the daemon's /api/usage.
    const byArm = JSON.parse((await runCli(['report', '--month', '--by', 'arm', '--json'], { home: gateway.home })).stdout) as { rows: Array<{ key: string; requests: number; costUsd: number }> };
    expect(byArm.rows.find((row) => row.key === `${id}/a`)?.requests).toBe(armA + failuresOnA);
    expect(byArm.rows.find((row) => row.key === `${id}/b`)?.costUsd).toBeCloseTo(report?.arms[1]?.costUsd ?? -1, 6);

    // Stopped: the router decides again, and nothing more is tagged.
    expect((await runCli(['ab', 'stop', '--task', 'edit'], { home: gateway.home })).exitCode).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const seen = (await gateway.waitForEvents(sessions.length + failuresOnA)).length;
    const after = await edit(sessions[1] as string, 'Rename greet to hello in app.py');
    expect(after.response.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');
    const events = await gateway.waitForEvents(seen + 1);
    expect(events.at(-1)?.session).toBe(sessions[1]);
    expect(events.at(-1)?.ab).toBeUndefined();
  }, 60_000);

  it('refuses a bad experiment with what is wrong', async () => {
    const bad = await runCli(['ab', 'start', '--task', 'edit', '--models', 'deepseek/deepseek-flash'], { home: gateway.home });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--models must be two models');
    const split = await runCli(['ab', 'start', '--task', 'edit', '--models', 'a/b,c/d', '--split', '100'], { home: gateway.home });
    expect(split.exitCode).toBe(2);
  });
});
