import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;
let work: string;
beforeAll(async () => {
  // Three providers can serve an edit: DeepSeek, OpenAI and Anthropic (the doubles); Ollama's models are below the floor.
  gateway = await startGateway({ config: { consensus: { tasks: { chat: { pick: 'judge', judge: 'openai/gpt-5' } } } } });
  work = mkdtempSync(join(tmpdir(), 'lodestar-consensus-'));
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  for (const double of [gateway.openai, gateway.deepseek, gateway.anthropic]) double.reset();
});

const SYSTEM = 'Act as an expert software developer.\nTake requests for changes to the supplied code.';
const edit = (replace: string, indent = '    ') => `app.py\n\`\`\`python\n<<<<<<< SEARCH\ndef greet():\n${indent}return "hi"\n=======\ndef greet():\n${indent}return "${replace}"\n>>>>>>> REPLACE\n\`\`\``;

function consensusEvents(): RequestEvent[] {
  const month = new Date().toISOString().slice(0, 7);
  return readFileSync(join(gateway.home, 'ledger', `${month}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RequestEvent)
    .filter((event) => event.consensus);
}

describe('lodestar/consensus', () => {
  it("answers with the majority's edit; a model that fails is left out of the vote; every model's cost is in the ledger", async () => {
    gateway.deepseek.enqueue({ kind: 'reply', text: `Here it is.\n\n${edit('hello')}` });
    gateway.openai.enqueue({ kind: 'reply', text: `Sure.\n\n${edit('hello', '\t')}` });
    gateway.anthropic.enqueue({ kind: 'error', status: 500, type: 'api_error', message: 'Internal server error' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'lodestar/consensus', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'Rename the greeting' }] }, { headers: { 'x-lodestar-project': 'vote' } }).withResponse();
    expect(data.choices[0]?.message.content).toContain('return "hello"');
    expect(response.headers.get('x-lodestar-consensus')).toBe('2 of 3 answered; 2 of 2 wrote the same edits');
    expect(response.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');
    const events = consensusEvents().filter((event) => event.project === 'vote');
    expect(events.map((event) => [event.model, event.status, event.consensus?.chosen])).toEqual([
      ['deepseek/deepseek-flash', 'ok', true],
      ['openai/o3', 'ok', false],
      ['anthropic/claude-sonnet-4-6', 'error', false],
    ]);
    expect(new Set(events.map((event) => event.consensus?.id)).size).toBe(1);
    expect(events.filter((event) => event.status === 'ok').every((event) => (event.costUsd ?? 0) > 0)).toBe(true);
  });

  it('lets a judge pick among plain answers, and streams the chosen one after keep-alives', async () => {
    gateway.deepseek.enqueue({ kind: 'reply', text: 'Use a dict.' });
    gateway.openai.enqueue({ kind: 'reply', text: 'Use a set: membership is O(1).' });
    gateway.anthropic.enqueue({ kind: 'reply', text: 'Use a list.' });
    // The judge (gpt-5, after the members) says: the second.
    gateway.openai.enqueue({ kind: 'reply', text: '2' });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: 'lodestar/consensus', stream: true, messages: [{ role: 'user', content: 'Which collection should hold the seen ids?' }] }, { headers: { 'x-lodestar-project': 'judged' } });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Use a set: membership is O(1).');
    const events = consensusEvents().filter((event) => event.project === 'judged');
    expect(events.filter((event) => event.consensus?.role === 'member')).toHaveLength(3);
    expect(events.find((event) => event.consensus?.role === 'judge')).toMatchObject({ model: 'openai/gpt-5', task: 'chat' });
    expect(events.find((event) => event.consensus?.chosen)?.model).toBe('openai/gpt-5-nano');
  });

  it("through the fake Aider: the majority's edit, with all three costs in the ledger", async () => {
    const dir = join(work, 'repo');
    mkdirSync(dir, { recursive: true });
    execFileSync('git', ['init', '-q', dir]);
    writeFileSync(join(dir, '.lodestarrc'), JSON.stringify({ project: 'repo', aider: { model: 'lodestar/consensus' } }));
    // The edit (streamed, as Aider asks) to three models; the commit message then goes to the weak model alone.
    gateway.deepseek.enqueue({ kind: 'reply', text: edit('hello') });
    gateway.openai.enqueue({ kind: 'reply', text: edit('hey') });
    gateway.anthropic.enqueue({ kind: 'reply', text: edit('hello', '  ') });
    const record = join(work, 'aider.json');
    const result = await runCli(['aider', '--title', 'off', '--', '--no-auto-commits', '--message', 'rename greet'], {
      home: gateway.home,
      cwd: dir,
      env: { PATH: `${join(ROOT, 'test', 'fixtures', 'aider')}:${process.env.PATH}`, FAKE_AIDER_RECORD: record },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const got = JSON.parse(readFileSync(record, 'utf8')) as { requests: Array<{ model: string; text?: string; status: number }> };
    expect(got.requests[0]).toMatchObject({ model: 'lodestar/consensus', status: 200 });
    expect(got.requests[0]?.text).toContain('return "hello"');
    const events = consensusEvents().filter((event) => event.project === 'repo');
    expect(events).toHaveLength(3);
    expect(events.every((event) => event.status === 'ok' && (event.costUsd ?? 0) > 0)).toBe(true);
    expect(events.find((event) => event.consensus?.chosen)?.model).toBe('deepseek/deepseek-flash');
  }, 60_000);

  it("takes a project's own consensus settings from its .lodestarrc", async () => {
    const dir = join(work, 'quick');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '.lodestarrc'), JSON.stringify({ project: 'quick', consensus: { members: 2 } }));
    expect((await runCli(['status'], { home: gateway.home, cwd: dir })).exitCode).toBe(0);
    gateway.deepseek.enqueue({ kind: 'reply', text: edit('hello') });
    gateway.openai.enqueue({ kind: 'reply', text: edit('hello') });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const { response } = await client.chat.completions.create({ model: 'lodestar/consensus', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: 'Rename the greeting' }] }, { headers: { 'x-lodestar-project': 'quick' } }).withResponse();
    expect(response.headers.get('x-lodestar-consensus')).toBe('2 of 2 answered; 2 of 2 wrote the same edits');
    expect(gateway.anthropic.requests).toHaveLength(0);
  });
});
