import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicDouble, startOllamaDouble, startOpenAIDouble, type Double, type OllamaDouble } from '../doubles/index.js';
import { cleanupHome, tempHome } from '../helpers/cli.js';
import { KEYS } from '../helpers/gateway.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';
import { adminCall, spawnTeamServer, type TeamServerProcess } from '../helpers/team-server.js';

/**
 * Model traffic through `lodestar server`: real SDKs with a user's key against a real server
 * process over real PostgreSQL and Redis, the providers being the doubles. Every request is in
 * the team ledger under its x-lodestar-request-id, with who sent it.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
const ADMIN = 'lsa_team_traffic_admin_key_0123456789abcd';
// gpt-4o-mini: $0.15 / $0.60 per million tokens.
const MINI_IN = 0.15 / 1e6;
const MINI_OUT = 0.6 / 1e6;

describe.skipIf(!HAVE)('model requests through the team server', { timeout: 60_000 }, () => {
  let postgres: Postgres;
  let redis: Redis;
  let home: string;
  let databaseUrl: string;
  let openai: Double;
  let anthropic: Double;
  let ollama: OllamaDouble;
  let server: TeamServerProcess;
  let db: pg.Client;

  beforeAll(async () => {
    [postgres, redis, openai, anthropic, ollama] = await Promise.all([
      startPostgres(),
      startRedis(),
      startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai }),
      startAnthropicDouble({ apiKey: KEYS.anthropic }),
      startOllamaDouble(),
    ]);
    home = tempHome('lodestar-team-traffic-');
    databaseUrl = await postgres.createDatabase();
    server = await spawnTeamServer({
      home,
      databaseUrl,
      redisUrl: redis.url,
      env: { LODESTAR_ADMIN_KEY: ADMIN, OPENAI_API_KEY: KEYS.openai, OPENAI_BASE_URL: openai.url, ANTHROPIC_API_KEY: KEYS.anthropic, ANTHROPIC_BASE_URL: anthropic.url, OLLAMA_HOST: ollama.url },
    });
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
  }, 40_000);

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await db?.end();
    await Promise.all([postgres?.stop(), redis?.stop(), openai?.close(), anthropic?.close(), ollama?.close()]);
    if (home) cleanupHome(home);
  });

  async function member(team: Record<string, unknown>, user: Record<string, unknown> = {}): Promise<{ key: string; userId: string; teamId: string; keyId: string }> {
    const name = `team-${Math.random().toString(36).slice(2, 8)}`;
    const made = await adminCall(server.url, ADMIN, 'POST', '/admin/teams', { name, ...team });
    expect(made.status).toBe(201);
    const added = await adminCall(server.url, ADMIN, 'POST', '/admin/users', { email: `${name}@example.com`, team: name, ...user });
    expect(added.status).toBe(201);
    return { key: added.body.key, userId: added.body.user.id, teamId: added.body.team.id, keyId: added.body.id };
  }

  /** The event stored under `id`, once the batch writer has it in PostgreSQL. */
  async function stored(id: string): Promise<Record<string, any>> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await db.query('SELECT * FROM ledger_events WHERE id = $1', [id]);
      if (rows[0]) return rows[0];
      if (Date.now() > deadline) throw new Error(`event ${id} never reached PostgreSQL`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("the OpenAI SDK with a user's key: answered, the event stored under x-lodestar-request-id with user, team, key and cost", async () => {
    const who = await member({});
    openai.setDefault({ kind: 'reply', text: 'hello from the team', usage: { inputTokens: 1200, outputTokens: 30 } });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: who.key, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('hello from the team');
    const id = response.headers.get('x-lodestar-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const row = await stored(id as string);
    expect(row).toMatchObject({ user_id: who.userId, team_id: who.teamId, key_id: who.keyId, model: 'openai/gpt-4o-mini', status: 'ok', http_status: 200, input_tokens: 1200, output_tokens: 30 });
    expect(row.cost_usd).toBeCloseTo(1200 * MINI_IN + 30 * MINI_OUT, 12);
    // The key's last use is recorded (to the minute), for the admin's list of keys.
    await expect.poll(async () => (await db.query('SELECT last_used_at FROM api_keys WHERE id = $1', [who.keyId])).rows[0].last_used_at, { timeout: 5000 }).toBeInstanceOf(Date);
    // The upstream got the server's provider key, never the user's.
    expect(openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEYS.openai}`);
  });

  it('a stream and the Anthropic SDK (x-api-key) go through too, each recorded', async () => {
    const who = await member({});
    openai.setDefault({ kind: 'reply', text: 'streamed answer', usage: { inputTokens: 50, outputTokens: 5 } });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: who.key, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('streamed answer');
    expect((await stored(response.headers.get('x-lodestar-request-id') as string)).stream).toBe(true);

    anthropic.setDefault({ kind: 'reply', text: 'hi from claude', usage: { inputTokens: 80, outputTokens: 6 } });
    const claude = new Anthropic({ baseURL: server.url, apiKey: who.key, maxRetries: 0 });
    const { data: message, response: raw } = await claude.messages.create({ model: 'claude-sonnet-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'hi from claude' });
    const row = await stored(raw.headers.get('x-lodestar-request-id') as string);
    expect(row).toMatchObject({ user_id: who.userId, provider: 'anthropic', input_tokens: 80, output_tokens: 6 });
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe(KEYS.anthropic);
  });

  it("no key, a wrong key, an admin key or a revoked key: 401 in the endpoint's own envelope, nothing sent upstream", async () => {
    const who = await member({});
    const before = openai.requests.length + anthropic.requests.length;
    const chat = (key?: string) =>
      fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) }, body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) });
    for (const key of [undefined, 'lsk_not_a_real_key_at_all_0000000000000000000', ADMIN]) {
      const answer = await chat(key);
      expect(answer.status).toBe(401);
      const body = (await answer.json()) as { error: { message: string; code: string } };
      expect(body.error.code).toBe('invalid_api_key');
      if (key) expect(JSON.stringify(body)).not.toContain(key);
    }
    const messages = await fetch(`${server.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'lsk_wrong' }, body: JSON.stringify({ model: 'claude-sonnet-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) });
    expect(messages.status).toBe(401);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });

    expect((await adminCall(server.url, ADMIN, 'POST', `/admin/keys/${who.keyId}/revoke`)).status).toBe(200);
    const revoked = await chat(who.key);
    expect(revoked.status).toBe(401);
    expect(((await revoked.json()) as { error: { message: string } }).error.message).toContain('revoked');
    expect(openai.requests.length + anthropic.requests.length).toBe(before);
  });

  it('over the rpm: 429 with retry-after, recorded as the user\'s refused request', async () => {
    const who = await member({}, { rpm: 2 });
    openai.setDefault({ kind: 'reply', text: 'ok', usage: { inputTokens: 10, outputTokens: 1 } });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: who.key, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await ask();
    await ask();
    const refused = await ask().catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(error.message).toContain('2 requests per minute');
    const row = await stored(error.headers?.get('x-lodestar-request-id') as string);
    expect(row).toMatchObject({ user_id: who.userId, status: 'error', http_status: 429 });
  });

  it("a team's hard budget: 402 naming it once the estimate does not fit; a team limited to some models: 403 for another", async () => {
    // 20,000 prompt tokens and max_tokens 1000 of gpt-4o-mini: an estimate of $0.0036, over a $0.003 budget.
    const poor = await member({ monthlyUsd: 0.003, mode: 'hard' });
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: poor.key, maxRetries: 0 });
    const refused = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', max_tokens: 1000, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }).catch((error: unknown) => error as InstanceType<typeof OpenAI.APIError>);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/Team team-\w+'s monthly budget of \$0\.00 for \d{4}-\d{2} is used up/);

    const narrow = await member({ models: ['openai/gpt-4o-mini'] });
    const limited = new Anthropic({ baseURL: server.url, apiKey: narrow.key, maxRetries: 0 });
    const forbidden = await limited.messages.create({ model: 'claude-sonnet-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error as InstanceType<typeof Anthropic.APIError>);
    expect((forbidden as InstanceType<typeof Anthropic.APIError>).status).toBe(403);
    expect((forbidden as InstanceType<typeof Anthropic.APIError>).message).toContain('openai/gpt-4o-mini');
  });

  it("/metrics: the instance's requests and its ledger writer's backlog, for an admin key only", async () => {
    const who = await member({});
    const get = (key?: string) => fetch(`${server.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    expect((await get()).status).toBe(401);
    expect((await get(who.key)).status).toBe(403);
    const scrape = await get(ADMIN);
    expect(scrape.status).toBe(200);
    const text = await scrape.text();
    expect(text).toMatch(/^lodestar_requests_total\{[^}]*model="openai\/gpt-4o-mini"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^lodestar_ledger_pending_events \d+$/m);
    expect(text).toMatch(/^lodestar_ledger_written_events_total [1-9]\d*$/m);
  });

  it("a team's shared routing applies to its members' requests, and only theirs", async () => {
    const chosen = await member({});
    const other = await member({});
    const teamOf = async (teamId: string) => (await db.query('SELECT name FROM teams WHERE id = $1', [teamId])).rows[0].name as string;
    const set = await adminCall(server.url, ADMIN, 'PATCH', `/admin/teams/${encodeURIComponent(await teamOf(chosen.teamId))}/routing`, { taskModels: { chat: 'anthropic/claude-sonnet-5' } });
    expect(set.status).toBe(200);
    anthropic.setDefault({ kind: 'reply', text: 'routed by the team', usage: { inputTokens: 20, outputTokens: 3 } });
    openai.setDefault({ kind: 'reply', text: 'routed by the server', usage: { inputTokens: 20, outputTokens: 3 } });
    const ask = (key: string) => new OpenAI({ baseURL: `${server.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'What does a mutex do?' }] }).withResponse();
    const mine = await ask(chosen.key);
    expect(mine.response.headers.get('x-lodestar-model')).toBe('anthropic/claude-sonnet-5');
    expect(mine.data.choices[0]?.message.content).toBe('routed by the team');
    const theirs = await ask(other.key);
    expect(theirs.response.headers.get('x-lodestar-model')).not.toBe('anthropic/claude-sonnet-5');
  });

  it('over a hard budget, a team that allows it gets a free local model instead of a 402', async () => {
    const who = await member({ monthlyUsd: 0.000001, mode: 'hard' });
    const name = (await db.query('SELECT name FROM teams WHERE id = $1', [who.teamId])).rows[0].name as string;
    expect((await adminCall(server.url, ADMIN, 'PATCH', `/admin/teams/${encodeURIComponent(name)}/routing`, { freeWhenOverBudget: true })).status).toBe(200);
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: who.key, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Write a commit message for: fix typo' }], max_tokens: 2000 }).withResponse();
    expect(response.headers.get('x-lodestar-provider')).toBe('ollama');
    expect(response.headers.get('x-lodestar-budget')).toBe('local-only');
    expect(data.choices[0]?.message.content).toBeTruthy();
    const row = await stored(response.headers.get('x-lodestar-request-id') as string);
    expect(row).toMatchObject({ user_id: who.userId, provider: 'ollama', budget_limited: true });
  });

  it('logs no provider key, user key or admin key', () => {
    for (const secret of [KEYS.openai, KEYS.anthropic, ADMIN]) expect(server.stderr()).not.toContain(secret);
  });
});
