import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

const DRIVE = join(ROOT, 'test', 'fixtures', 'pty-drive.py');
const ESCAPES = /\u001b(\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(\u0007|\u001b\\)|[@-Z\\-_])/g;
const EDIT = [
  { role: 'system' as const, content: 'Act as an expert software developer.\nTake requests for changes to the supplied code.' },
  { role: 'user' as const, content: 'Rename the function.' },
];
const KEYS = { enter: '\r', esc: '\u001b', ctrlR: '\u0012' };

type Step = { wait: string } | { type: string } | { key: string };

let gateway: Gateway;
let project: string;

beforeAll(async () => {
  gateway = await startGateway();
  project = join(gateway.home, 'work', 'shop');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, '.lodestarrc'), '{"project": "shop"}\n');
  // Any command run in the folder makes the project known to the daemon.
  expect((await runCli(['status'], { home: gateway.home, cwd: project })).exitCode).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
});

/** `lodestar ARGS` in a 120x30 pseudo-terminal, with the keys of `steps`; what it wrote, without escape sequences. */
async function inTerminal(args: readonly string[], steps: readonly Step[]): Promise<{ exitCode: number; screen: string; stderr: string }> {
  const result = await execa('python3', [DRIVE, '120', '30', JSON.stringify(steps), '--', process.execPath, BIN, ...args], {
    env: cleanEnv(gateway.home, { TERM: 'xterm-256color' }),
    extendEnv: false,
    cwd: gateway.home,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, screen: String(result.stdout).replace(ESCAPES, ''), stderr: String(result.stderr) };
}

function projectSettings(): { project: string; routing?: { taskModels?: Record<string, string> } } {
  return JSON.parse(readFileSync(join(project, '.lodestarrc'), 'utf8'));
}

async function answeringModel(): Promise<string | null> {
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
  const reply = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'shop' } }).withResponse();
  return reply.response.headers.get('x-lodestar-model');
}

describe('lodestar models select', () => {
  it('refuses to start without a terminal, and names the ways that need none', async () => {
    const piped = await runCli(['models', 'select'], { home: gateway.home, input: 'y\n' });
    expect(piped.exitCode).toBe(2);
    expect(piped.stderr.trim().split('\n')).toEqual([
      "lodestar: `lodestar models select` is interactive and needs a terminal; without one, choose in the web UI (`lodestar ui`) or set routing.taskModels in config.json or the project's .lodestarrc",
    ]);
    expect(piped.stdout).toBe('');

    const badTask = await runCli(['models', 'select', '--task', 'refactor'], { home: gateway.home });
    expect(badTask.exitCode).toBe(2);
    expect(badTask.stderr).toContain('--task must be one of commit, summary, edit, architect, chat, long-context, agent, complete, got "refactor"');
  });

  it('says so when the project is not one the daemon knows', async () => {
    const result = await inTerminal(['models', 'select', '--project', 'nowhere'], []);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.screen).toContain('lodestar: No project "nowhere" is registered: run `lodestar init` in it first');
  });

  it('quits on Esc and changes nothing', async () => {
    const result = await inTerminal(['models', 'select', '--project', 'shop'], [{ wait: 'Filter:' }, { key: KEYS.esc }]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.screen).toContain('Task: commit summary [edit] architect chat long-context agent complete · project shop');
    expect(result.screen).toContain("Floor 70% · ● chosen: none · ○ router's choice: deepseek/deepseek-flash");
    expect(result.screen.trimEnd().endsWith('Nothing changed.')).toBe(true);
    expect(projectSettings()).toEqual({ project: 'shop' });
  });

  it("filters to a model, previews it, saves it to the project, and the project's next edit goes to it; ^R gives the task back to the router", async () => {
    expect(await answeringModel()).toBe('deepseek/deepseek-flash');
    const chosen = await inTerminal(
      ['models', 'select', '--project', 'shop'],
      [{ wait: 'Filter:' }, { type: 'sonnet-4-5' }, { wait: 'Filter: sonnet-4-5▏ 1 of' }, { key: KEYS.enter }, { wait: 'Save? y/n' }, { type: 'y' }],
    );
    expect(chosen.exitCode, chosen.stderr + chosen.screen).toBe(0);
    // The preview: the choice first in the router's order, the router's own pick behind it.
    expect(chosen.screen).toContain('edit -> anthropic/claude-sonnet-4-5 for project shop');
    expect(chosen.screen).toMatch(/A typical Aider session \(40 requests\) would cost \$[\d.]+, against \$[\d.]+ on the baseline model\./);
    expect(chosen.screen).toMatch(/1\. anthropic\/claude-sonnet-4-5 +\$[\d.]+ +78\.4% +chosen for edit \(routing\.taskModels\)/);
    expect(chosen.screen).toMatch(/2\. deepseek\/deepseek-flash /);
    const file = join(project, '.lodestarrc');
    expect(chosen.screen).toContain(`Saved: edit -> anthropic/claude-sonnet-4-5 for project shop in ${file}`);
    expect(projectSettings().routing?.taskModels).toEqual({ edit: 'anthropic/claude-sonnet-4-5' });
    expect(await answeringModel()).toBe('anthropic/claude-sonnet-4-5');

    const router = await inTerminal(['models', 'select', '--project', 'shop'], [{ wait: '● chosen: anthropic/claude-sonnet-4-5 (project)' }, { key: KEYS.ctrlR }, { wait: 'Save? y/n' }, { type: 'y' }]);
    expect(router.exitCode, router.stderr + router.screen).toBe(0);
    expect(router.screen).toContain(`Saved: edit -> the router's choice for project shop in ${file}`);
    expect(projectSettings().routing?.taskModels?.edit).toBeUndefined();
    expect(await answeringModel()).toBe('deepseek/deepseek-flash');
  });
});
