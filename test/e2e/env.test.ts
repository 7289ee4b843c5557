import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;

beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

it('prints what each tool needs to use the daemon, the token read from its file and never printed', async () => {
  for (const tool of ['opencode', 'qwen', 'continue', 'openai', 'anthropic']) {
    const human = await runCli(['env', tool, '--project', 'shop'], { home: gateway.home });
    expect(human.exitCode, human.stderr).toBe(0);
    expect(human.stdout).not.toContain(gateway.token);
    expect(human.stdout).toContain(`$(cat ${gateway.home}/token)`);
    expect(human.stdout).toContain(`http://127.0.0.1:${gateway.port}/p/shop`);
  }
  const qwen = JSON.parse((await runCli(['env', 'qwen', '--no-project', '--json'], { home: gateway.home })).stdout) as { env: Record<string, string> };
  expect(qwen.env).toEqual({ OPENAI_BASE_URL: `"http://127.0.0.1:${gateway.port}/v1"`, OPENAI_API_KEY: `"$(cat ${gateway.home}/token)"`, OPENAI_MODEL: '"lodestar/auto"' });
  const continued = JSON.parse((await runCli(['env', 'continue', '--json'], { home: gateway.home })).stdout) as { file: { content: { models: Array<{ model: string; apiBase: string }> } } };
  expect(continued.file.content.models.map((model) => model.model)).toEqual(['lodestar/auto', 'lodestar/cheap', 'lodestar/local']);
  // opencode's models carry the limits the daemon reports for them.
  const opencode = JSON.parse((await runCli(['env', 'opencode', '--json'], { home: gateway.home })).stdout) as { file: { content: { provider: { lodestar: { models: Record<string, { limit: { context: number; output: number } }> } } } } };
  expect(opencode.file.content.provider.lodestar.models['openai/gpt-4o-mini']?.limit).toEqual({ context: 128_000, output: 16_384 });
});

it('refuses a tool it does not know, naming the ones it does, with exit 2', async () => {
  const result = await runCli(['env', 'vim'], { home: gateway.home });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain('<tool> must be one of opencode, qwen, continue, openai, anthropic, codex, claude, aider, got "vim"');
});
