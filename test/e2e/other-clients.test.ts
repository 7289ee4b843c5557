import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

/** Clients nobody here wrote, in other stacks: Python's standard library and curl. */
let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
  gateway.anthropic.setDefault({ kind: 'reply', text: 'Hello from the double', usage: { inputTokens: 12, outputTokens: 5 } });
});
afterAll(async () => {
  await gateway?.stop();
});

describe('Python standard library (urllib)', () => {
  it('gets plain and streamed answers, usage, and a JSON error', async () => {
    const result = await execa('python3', [join(ROOT, 'test/fixtures/python-client.py'), gateway.baseURL, gateway.token, 'anthropic/claude-haiku-4-5'], { reject: false });
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const [plain, stream, error] = String(result.stdout).trim().split('\n').map((line) => JSON.parse(line));
    expect(plain).toMatchObject({ kind: 'plain', content: 'Hello from the double', usage: { prompt_tokens: 12, completion_tokens: 5 }, model_header: 'anthropic/claude-haiku-4-5' });
    expect(stream).toMatchObject({ kind: 'stream', content: 'Hello from the double', usage: { prompt_tokens: 12, completion_tokens: 5 }, done: true });
    expect(error).toMatchObject({ kind: 'error', status: 404, body: { error: { code: 'model_not_found' } } });
  });
});

describe('curl', () => {
  it('streams with -N and reads /health without a token', async () => {
    const health = await execa('curl', ['-s', `http://127.0.0.1:${gateway.port}/health`]);
    expect(JSON.parse(String(health.stdout))).toMatchObject({ status: 'ok', service: 'lodestar' });
    const stream = await execa('curl', [
      '-s',
      '-N',
      `${gateway.baseURL}/chat/completions`,
      '-H',
      `Authorization: Bearer ${gateway.token}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ model: 'anthropic/claude-haiku-4-5', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    ], { stripFinalNewline: false });
    expect(String(stream.stdout)).toMatch(/^data: \{/);
    expect(String(stream.stdout).endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
