import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSource } from '../../src/cli/commands/dashboard.js';
import { lodestarPaths } from '../../src/config/paths.js';
import { DashboardApp } from '../../src/ui/Dashboard.js';
import { cleanupHome, ROOT, runCli, tempHome } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { renderAt } from '../helpers/ink.js';

const FAKE_BIN = join(ROOT, 'test', 'fixtures', 'bin');
let gateway: Gateway;
let smi: string;

beforeAll(async () => {
  smi = mkdtempSync(join(tmpdir(), 'lodestar-smi-'));
  gateway = await startGateway({
    ollama: { nvidiaSmiDir: smi },
    env: { PATH: `${FAKE_BIN}:${process.env.PATH}`, FAKE_NVIDIA_SMI_DIR: smi },
    config: { gpu: { pollSeconds: 1 }, budgets: { monthly: { limitUsd: 10 } }, models: { 'deepseek/deepseek-flash': { sameAs: 'deepseek/deepseek-chat' } } },
  });
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(smi, { recursive: true, force: true });
});

const ANSI = /\u001b\[[0-9;]*m/g;

async function traffic(client: OpenAI, count: number, tag: string): Promise<void> {
  for (let index = 0; index < count; index++) {
    await client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: `Fix the bug in parse() please (${tag} ${index})` }] }, { headers: { 'x-lodestar-task': 'edit' } });
    await client.chat.completions.create({
      model: 'lodestar/cheap',
      messages: [
        { role: 'system', content: 'You are an expert software engineer that generates concise, one-line Git commit messages based on the provided diffs.' },
        { role: 'user', content: `diff --git a/x b/x ${tag} ${index}` },
      ],
    });
  }
}

describe('lodestar dashboard against a daemon under traffic', () => {
  it('shows every panel live: spend against the budget, savings, models, GPU, loaded models, providers and the latest requests', async () => {
    const client = new OpenAI({ apiKey: gateway.token, baseURL: gateway.baseURL });
    await traffic(client, 2, 'before');
    const app = renderAt(<DashboardApp source={httpSource(lodestarPaths(gateway.home))} width={100} timings={{ throttleMs: 100, healthMs: 500 }} />, 100);
    const screen = (): string => (app.lastFrame() ?? '').replace(ANSI, '');
    const until = async (check: () => boolean, what: string): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`the dashboard never showed ${what}:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until(() => screen().includes('(4 requests)'), 'the first requests');
      await traffic(client, 3, 'live');
      await until(() => screen().includes('month') && screen().includes('(10 requests)'), 'the live requests');
      await until(() => /VRAM [1-9]\.\d of 4\.0 GiB/.test(screen()), 'the GPU with a model in VRAM');
      const text = screen();
      expect(text).toMatch(/all monthly \[[█░]+\] \d+% \$[0-9.]+ of \$10\.00 soft/);
      expect(text).toMatch(/Saved \$[0-9.]+ \(\d+\.\d%\) vs anthropic\/claude-sonnet-5/);
      expect(text).toMatch(/deepseek\/deepseek-flash\s+5\s/);
      expect(text).toContain('NVIDIA T600 Laptop GPU');
      expect(text).toMatch(/In memory: qwen2\.5-coder:\S+ \d\.\d GiB/);
      expect(text).toMatch(/● deepseek/);
      expect(text).toMatch(/\d\d:\d\d:\d\d commit\s+ollama\/qwen2\.5-coder/);
      for (const line of text.split('\n')) expect([...line].length).toBeLessThanOrEqual(100);
    } finally {
      app.unmount();
    }
  });

  it('--once draws one frame from what the daemon has now', async () => {
    const result = await runCli(['dashboard', '--once'], { home: gateway.home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('── Spend');
    expect(result.stdout).toContain('── Latest requests');
    expect(result.stdout).toMatch(/deepseek\/deepseek-flash/);
    const compact = await runCli(['dashboard', '--once', '--compact'], { home: gateway.home });
    expect(compact.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('says clearly when the daemon is not running', async () => {
    const home = tempHome();
    try {
      const result = await runCli(['dashboard'], { home });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('Lodestar is not running, so there is nothing to show');
      expect(result.stderr).toContain('lodestar start');
    } finally {
      cleanupHome(home);
    }
  });
});
