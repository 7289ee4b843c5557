import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { KEYS, rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';
import { logIn, loginLink, uiRequest } from '../helpers/web-ui.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

const EDIT = [
  { role: 'system' as const, content: 'Act as an expert software developer.\nTake requests for changes to the supplied code.' },
  { role: 'user' as const, content: 'Rename the function.' },
];
/** DeepSeek's key is left for the UI to set: the double is there, the environment has no key. */
const NO_DEEPSEEK_KEY = { DEEPSEEK_API_KEY: '' };

describe('the web UI listener', () => {
  it('logs a browser in once through the link, then knows it by an HttpOnly, SameSite=Strict cookie only', async () => {
    gateway = await startGateway();
    const { url, port } = await loginLink(gateway.home);
    expect(port).not.toBe(gateway.port);
    const path = new URL(url).pathname + new URL(url).search;

    expect((await uiRequest(port, '/api/ui/session')).status).toBe(401);
    const login = await uiRequest(port, path);
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/#/overview');
    const cookie = String(login.headers['set-cookie']);
    expect(cookie).toMatch(/^lodestar_session=[\w-]{43}; HttpOnly; SameSite=Strict; Path=\/$/);
    // The link works once.
    const again = await uiRequest(port, path);
    expect(again.status).toBe(401);
    expect(again.text).toContain('used up or expired');

    const session = await uiRequest(port, '/api/ui/session', { cookie: cookie.split(';')[0] });
    expect(session.status).toBe(200);
    expect(session.json()).toMatchObject({ apiPort: gateway.port, uiPort: port });
    // The daemon token is no key to the UI's origin, and the cookie none to the API's.
    expect((await uiRequest(port, '/api/ui/session', { cookie: `lodestar_session=${gateway.token}` })).status).toBe(401);
    expect((await rawRequest(gateway.port, { method: 'GET', path: '/api/ui/session', headers: { cookie: cookie.split(';')[0] as string } })).status).toBe(401);
    // The browser's origin can't spend: no model endpoints there.
    expect((await uiRequest(port, '/v1/chat/completions', { method: 'POST', cookie: cookie.split(';')[0], body: { model: 'lodestar/auto', messages: EDIT } })).status).toBe(405);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign or missing Origin on changes (CSRF), and sends a strict CSP', async () => {
    gateway = await startGateway();
    const { port, cookie } = await logIn(gateway.home);
    const rebound = await uiRequest(port, '/api/ui/settings', { cookie, host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.json().error.code).toBe('host_not_allowed');
    expect((await uiRequest(port, '/', { host: `evil.example:${port}` })).status).toBe(403);

    const patch = { budgets: { monthly: { limitUsd: 10 } } };
    const foreign = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: patch, origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json().error.code).toBe('origin_not_allowed');
    expect((await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: patch, origin: null })).status).toBe(403);
    expect((await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: patch, origin: `http://127.0.0.1:${port + 1}` })).status).toBe(403);
    const own = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: patch, origin: `http://localhost:${port}` });
    expect(own.status).toBe(200);

    const page = await uiRequest(port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect((await uiRequest(port, '/../config.json')).status).toBe(404);
  });
});

describe('settings from the UI', () => {
  it('adds a provider key that serves the next request, without a restart, and never shows it again', async () => {
    gateway = await startGateway({ env: NO_DEEPSEEK_KEY });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const before = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }).withResponse();
    expect(before.response.headers.get('x-lodestar-model')).not.toMatch(/^deepseek\//);

    const { port, cookie } = await logIn(gateway.home);
    const saved = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: { providers: { deepseek: { apiKey: KEYS.deepseek } } } });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.json()).toMatchObject({ applied: ['providers.deepseek.apiKey'], needsRestart: [] });
    expect(saved.json().settings.providers.deepseek.key).toEqual({ set: true, last4: KEYS.deepseek.slice(-4), from: 'config', variable: 'DEEPSEEK_API_KEY' });
    const file = join(gateway.home, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const after = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }).withResponse();
    expect(after.response.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');

    // No answer of the UI's API holds a key, nor the daemon token.
    for (const path of ['/api/ui/settings', '/api/ui/models', '/api/ui/projects', '/api/ui/session', '/health', '/api/budget', '/api/usage?month=', '/api/ui/gpu']) {
      const reply = await uiRequest(port, path, { cookie });
      expect(reply.status, path).toBe(200);
      for (const secret of [...Object.values(KEYS), gateway.token]) expect(reply.text, path).not.toContain(secret);
    }
    // An environment variable wins over the file: the UI says so rather than saving a key that would not apply.
    const fromEnv = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: { providers: { openai: { apiKey: 'placeholder-openai-key-0000' } } } });
    expect(fromEnv.status).toBe(400);
    expect(fromEnv.json().error).toMatchObject({ param: 'providers.openai.apiKey', code: 'key_from_environment' });

    // Removing it takes DeepSeek out again.
    const removed = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: { providers: { deepseek: { apiKey: null } } } });
    expect(removed.json().settings.providers.deepseek.key).toMatchObject({ set: false, last4: null });
    expect(readFileSync(file, 'utf8')).not.toContain(KEYS.deepseek);
    const gone = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }).withResponse();
    expect(gone.response.headers.get('x-lodestar-model')).not.toMatch(/^deepseek\//);
  });

  it('refuses a bad budget with the field named, writes nothing, and applies a good one at once', async () => {
    gateway = await startGateway();
    const { port, cookie } = await logIn(gateway.home);
    const bad = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: { budgets: { monthly: { limitUsd: -5, mode: 'hard' } } } });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ param: 'budgets.monthly.limitUsd', code: 'invalid_config' });
    expect(bad.json().error.message).toContain('"budgets.monthly.limitUsd" must be at least 0, got -5');
    expect(() => statSync(join(gateway!.home, 'config.json'))).toThrow();

    const good = await uiRequest(port, '/api/ui/settings', { method: 'PUT', cookie, body: { budgets: { monthly: { limitUsd: 25, mode: 'hard' } }, cache: { ttlSeconds: 60 } } });
    expect(good.json()).toMatchObject({ applied: ['budgets.monthly.limitUsd', 'budgets.monthly.mode'], needsRestart: ['cache.ttlSeconds'] });
    const budget = await uiRequest(port, '/api/budget', { cookie });
    expect(budget.json().budgets).toContainEqual(expect.objectContaining({ scope: 'all', period: 'monthly', limitUsd: 25, mode: 'hard' }));
    // What the UI wrote, the CLI reads.
    const cli = await runCli(['budget', '--json'], { home: gateway.home });
    expect(JSON.parse(cli.stdout).budgets[0]).toMatchObject({ limitUsd: 25, mode: 'hard' });
  });
});

describe('the model selector', () => {
  it("sets a project's edit model, previewed first, and the project's next edit goes to it", async () => {
    gateway = await startGateway();
    const project = join(gateway.home, 'work', 'shop');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, '.lodestarrc'), '{\n  // the shop\n  "project": "shop"\n}\n');
    expect((await runCli(['status'], { home: gateway.home, cwd: project })).exitCode).toBe(0);
    const { port, cookie } = await logIn(gateway.home);

    const models = (await uiRequest(port, '/api/ui/models?project=shop', { cookie })).json();
    expect(models.projects).toEqual(['shop']);
    const edit = models.tasks.find((task: { task: string }) => task.task === 'edit');
    expect(edit).toMatchObject({ floor: 70, chosen: null, routerChoice: 'deepseek/deepseek-flash' });
    expect(models.models.find((row: { id: string }) => row.id === 'anthropic/claude-sonnet-4-5')).toMatchObject({ available: true, local: false });

    const preview = (await uiRequest(port, '/api/ui/models/preview', { method: 'POST', cookie, body: { task: 'edit', model: 'anthropic/claude-sonnet-4-5', project: 'shop' } })).json();
    expect(preview.ranking[0]).toMatchObject({ rank: 1, id: 'anthropic/claude-sonnet-4-5', why: 'chosen for edit (routing.taskModels)' });
    expect(preview.ranking[1].id).toBe('deepseek/deepseek-flash');
    const routerOnly = (await uiRequest(port, '/api/ui/models/preview', { method: 'POST', cookie, body: { task: 'edit', model: null, project: 'shop' } })).json();
    expect(preview.typicalSession.costUsd).toBeGreaterThan(routerOnly.typicalSession.costUsd);
    expect(preview.typicalSession.requests).toBe(40);

    const unknown = await uiRequest(port, '/api/ui/models/choice', { method: 'PUT', cookie, body: { task: 'edit', model: 'anthropic/claude-nonesuch', project: 'shop' } });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error.param).toBe('model');

    const saved = await uiRequest(port, '/api/ui/models/choice', { method: 'PUT', cookie, body: { task: 'edit', model: 'anthropic/claude-sonnet-4-5', project: 'shop' } });
    expect(saved.json()).toMatchObject({ saved: true, file: join(project, '.lodestarrc') });
    expect(readFileSync(join(project, '.lodestarrc'), 'utf8')).toContain('// the shop');

    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const routed = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'shop' } }).withResponse();
    expect(routed.response.headers.get('x-lodestar-model')).toBe('anthropic/claude-sonnet-4-5');
    const other = await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT }, { headers: { 'x-lodestar-project': 'blog' } }).withResponse();
    expect(other.response.headers.get('x-lodestar-model')).toBe('deepseek/deepseek-flash');

    const after = (await uiRequest(port, '/api/ui/models?project=shop', { cookie })).json();
    expect(after.tasks.find((task: { task: string }) => task.task === 'edit')).toMatchObject({ chosen: 'anthropic/claude-sonnet-4-5', chosenFrom: 'project' });
    // And the project's page: a bad floor is named, a good budget is kept.
    const badFloor = await uiRequest(port, '/p/shop/api/ui/project', { method: 'PUT', cookie, body: { routing: { floors: { edit: 170 } } } });
    expect(badFloor.status).toBe(400);
    expect(badFloor.json().error.param).toBe('routing.floors.edit');
    const budget = await uiRequest(port, '/p/shop/api/ui/project', { method: 'PUT', cookie, body: { budget: { monthly: { limitUsd: 5, mode: 'soft' } } } });
    expect(budget.status, budget.text).toBe(200);
    expect(budget.json().project).toMatchObject({ name: 'shop', budget: { monthly: { limitUsd: 5, mode: 'soft' } }, taskModels: { edit: 'anthropic/claude-sonnet-4-5' } });
  });
});

describe('when the UI is not served', () => {
  it('names a port in use, and the API serves on', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      gateway = await startGateway({ env: { LODESTAR_UI_PORT: String(taken) } });
      const result = await runCli(['ui', '--print'], { home: gateway.home });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`port ${taken} on 127.0.0.1 is in use by another program`);
      const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
      expect((await client.chat.completions.create({ model: 'lodestar/auto', messages: EDIT })).choices.length).toBe(1);
    } finally {
      blocker.close();
    }
  });
});
