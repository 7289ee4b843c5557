import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const EDIT = [
  { role: 'system' as const, content: 'Act as an expert software developer.\nTake requests for changes to the supplied code.' },
  { role: 'user' as const, content: 'Rename the function.' },
];

it("applies a project's .lodestarrc to its requests: forbidden models, its baseline, its scores", async () => {
  gateway = await startGateway({ config: { models: { 'deepseek/deepseek-flash': { sameAs: 'deepseek/deepseek-chat' } } } });
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });

  // Without project settings, an edit goes to deepseek-flash (the cheapest at 70% or more).
  const { response: plain } = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }).withResponse();
  expect(plain.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');

  const project = join(gateway.home, 'work', 'web');
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, '.lodestarrc'), JSON.stringify({ project: 'web', baseline: 'openai/gpt-5', routing: { forbidden: ['deepseek/*'] } }));
  // Any lodestar command run in the project makes it known to the daemon.
  const status = await runCli(['status'], { home: gateway.home, cwd: project });
  expect(status.exitCode, status.stderr).toBe(0);

  const { response } = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'web' } }).withResponse();
  // A short prompt with an edit's typical 1,000-token answer is cheapest on o3 ($8/M out) among the rest.
  expect(response.headers.get('x-lodestar-model')).toBe('openai/o3');
  const event = await gateway.eventFor('web');
  expect(event.baselineModel).toBe('openai/gpt-5');
  expect(event.task).toBe('edit');

  // Another project is not affected.
  const { response: other } = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'api' } }).withResponse();
  expect(other.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');

  // Daemon-wide settings stay out of project files.
  writeFileSync(join(project, '.lodestarrc'), JSON.stringify({ project: 'web', routing: { retries: 3 } }));
  const refused = await runCli(['status'], { home: gateway.home, cwd: project });
  expect(refused.exitCode).toBe(2);
  expect(refused.stderr).toContain('"routing.retries" can\'t be set in a project\'s .lodestarrc');
});

it('a project name registered again at another folder (a clone, a move) takes effect from the next request', async () => {
  gateway = await startGateway({ config: { models: { 'deepseek/deepseek-flash': { sameAs: 'deepseek/deepseek-chat' } } } });
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
  const headers = { 'x-lodestar-project': 'shop' };
  const first = join(gateway.home, 'work', 'shop');
  const clone = join(gateway.home, 'elsewhere', 'shop');
  mkdirSync(first, { recursive: true });
  mkdirSync(clone, { recursive: true });
  writeFileSync(join(first, '.lodestarrc'), JSON.stringify({ project: 'shop', routing: { forbidden: ['deepseek/*'] } }));
  writeFileSync(join(clone, '.lodestarrc'), JSON.stringify({ project: 'shop', routing: { forbidden: ['openai/*'] } }));

  expect((await runCli(['status'], { home: gateway.home, cwd: first })).exitCode).toBe(0);
  const { response: before } = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers }).withResponse();
  expect(before.headers.get('x-lodestar-model')).toBe('openai/o3');

  // The clone's first command registers it there; its very next request follows the clone's .lodestarrc.
  expect((await runCli(['status'], { home: gateway.home, cwd: clone })).exitCode).toBe(0);
  const { response: after } = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers }).withResponse();
  expect(after.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');
});
