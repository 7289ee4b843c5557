import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import { ADMIN_KEY, adminLogIn, startTeamStack, type TeamStack } from '../helpers/team-admin-ui.js';
import { uiRequest } from '../helpers/web-ui.js';

/**
 * The team server's admin pages over HTTP, against a real `lodestar server` on real PostgreSQL
 * and Redis: the login that trades an admin key for a session cookie, the cookie's flags, the
 * Host and Origin rules, and the JSON every page reads, which needs the session.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
const ENDPOINTS = ['/admin-ui/api/session', '/admin-ui/api/teams', '/admin-ui/api/users', '/admin-ui/api/quotas', '/admin-ui/api/report?by=user', '/admin-ui/api/report?by=team', '/admin-ui/api/requests'];
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

describe.skipIf(!HAVE)('the admin pages of lodestar server, over HTTP', { timeout: 60_000 }, () => {
  let stack: TeamStack;
  let port: number;

  beforeAll(async () => {
    stack = await startTeamStack();
    port = stack.port;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the pages under /admin-ui/ with the local UI\'s CSP and headers; / and /admin-ui lead there', async () => {
    const page = await uiRequest(port, '/admin-ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<script type="module" src="app.js"></script>');
    expect(page.headers['content-security-policy']).toBe(CSP);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const script = await uiRequest(port, '/admin-ui/app.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect((await uiRequest(port, '/admin-ui/styles.css')).status).toBe(200);
    expect((await uiRequest(port, '/admin-ui/nothing.js')).status).toBe(404);
    expect(await uiRequest(port, '/admin-ui')).toMatchObject({ status: 308, headers: { location: '/admin-ui/' } });
    expect(await uiRequest(port, '/')).toMatchObject({ status: 303, headers: { location: '/admin-ui/' } });
    // The JSON too: an error answer carries the CSP as well.
    const refused = await uiRequest(port, '/admin-ui/api/session');
    expect(refused.headers['content-security-policy']).toBe(CSP);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('login: no key or a wrong one 401, a user key 403, the admin key a session cookie that is HttpOnly, SameSite=Strict, Path=/admin-ui and not Secure over http', async () => {
    const login = (headers: Record<string, string>) => uiRequest(port, '/admin-ui/login', { method: 'POST', body: {}, headers });
    const none = await login({});
    expect(none.status).toBe(401);
    expect(none.json().error.code).toBe('missing_admin_key');
    const wrong = await login({ authorization: 'Bearer lsa_this_is_not_the_admin_key_0000000000' });
    expect(wrong.status).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_admin_key');
    const member = await stack.member();
    const user = await login({ authorization: `Bearer ${member.key}` });
    expect(user.status).toBe(403);
    expect(user.json().error.code).toBe('not_an_admin_key');
    for (const reply of [none, wrong, user]) expect(reply.headers['set-cookie']).toBeUndefined();

    const { cookie, reply } = await adminLogIn(port);
    expect(reply.json()).toMatchObject({ loggedIn: true, key: ADMIN_KEY.slice(0, 8) });
    const flags = (reply.headers['set-cookie'] as string[])[0] as string;
    expect(cookie).toMatch(/^lodestar_admin_session=[A-Za-z0-9_-]{43}$/);
    expect(flags.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Path=/admin-ui', 'SameSite=Strict']);
    expect(reply.headers['cache-control']).toBe('no-store');
    // Redis has the session's hash, never the id the browser holds.
    expect(stack.server.stderr()).not.toContain(cookie.split('=')[1]);
  });

  it('every page\'s JSON needs the session (or an admin key): 401 without, 401 with a made-up cookie, 200 with the session', async () => {
    const { cookie } = await adminLogIn(port);
    for (const path of ENDPOINTS) {
      const without = await uiRequest(port, path);
      expect(without.status, path).toBe(401);
      expect(without.json().error.code, path).toBe('not_logged_in');
      expect((await uiRequest(port, path, { cookie: 'lodestar_admin_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).status, path).toBe(401);
      // The local daemon's cookie is another: it opens nothing here.
      expect((await uiRequest(port, path, { cookie: `lodestar_session=${cookie.split('=')[1]}` })).status, path).toBe(401);
      const withSession = await uiRequest(port, path, { cookie });
      expect(withSession.status, `${path}: ${withSession.text}`).toBe(200);
      expect(withSession.headers['cache-control']).toBe('no-store');
      expect((await uiRequest(port, path, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status, path).toBe(200);
    }
    const member = await stack.member();
    expect((await uiRequest(port, ENDPOINTS[1] as string, { headers: { authorization: `Bearer ${member.key}` } })).status).toBe(403);
    expect((await uiRequest(port, '/admin-ui/api/session', { cookie })).json()).toMatchObject({ via: 'session', key: ADMIN_KEY.slice(0, 8), timeZone: 'UTC' });
  });

  it('a foreign Host is 403 everywhere (DNS rebinding); a foreign or missing Origin is 403 on login and logout (CSRF)', async () => {
    const { cookie } = await adminLogIn(port);
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, `localhost.evil.example:${port}`]) {
      for (const path of ['/', '/admin-ui/', '/admin-ui/app.js', '/admin-ui/api/users']) {
        const reply = await uiRequest(port, path, { host, cookie });
        expect(reply.status, `${host} ${path}`).toBe(403);
        expect(reply.json().error.code).toBe('host_not_allowed');
      }
      const login = await uiRequest(port, '/admin-ui/login', { method: 'POST', body: {}, host, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(login.status).toBe(403);
      expect(login.headers['set-cookie']).toBeUndefined();
    }
    expect((await uiRequest(port, '/admin-ui/api/session', { host: `localhost:${port}`, cookie })).status).toBe(200);

    for (const origin of ['http://evil.example', `http://127.0.0.1:${port + 1}`, 'null', `http://127.0.0.1:${port}/path`, null]) {
      const login = await uiRequest(port, '/admin-ui/login', { method: 'POST', body: {}, origin, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(login.status, String(origin)).toBe(403);
      expect(login.json().error.code).toBe('origin_not_allowed');
      expect(login.headers['set-cookie']).toBeUndefined();
      const logout = await uiRequest(port, '/admin-ui/logout', { method: 'POST', body: {}, origin, cookie });
      expect(logout.status, String(origin)).toBe(403);
    }
    // The session outlived those attempts.
    expect((await uiRequest(port, '/admin-ui/api/session', { cookie })).status).toBe(200);
  });

  it('logout ends the session on the server: the same cookie is refused afterwards, and the answer clears it', async () => {
    const { cookie } = await adminLogIn(port);
    const logout = await uiRequest(port, '/admin-ui/logout', { method: 'POST', body: {}, cookie });
    expect(logout.status).toBe(204);
    expect((logout.headers['set-cookie'] as string[])[0]).toMatch(/^lodestar_admin_session=; HttpOnly; SameSite=Strict; Path=\/admin-ui; Max-Age=0$/);
    expect((await uiRequest(port, '/admin-ui/api/users', { cookie })).status).toBe(401);
  });

  it('a session holds while its admin key does: the key revoked, its sessions end at their next request', async () => {
    const second = 'lsa_a_second_admin_key_for_revoking_000000';
    const hash = createHash('sha256').update(second).digest();
    await stack.db.query(`INSERT INTO admin_keys (prefix, hash, source) VALUES ($1, $2, 'environment')`, [second.slice(0, 8), hash]);
    const { cookie } = await adminLogIn(port, second);
    expect((await uiRequest(port, '/admin-ui/api/teams', { cookie })).status).toBe(200);
    await stack.db.query('UPDATE admin_keys SET revoked_at = now() WHERE hash = $1', [hash]);
    const refused = await uiRequest(port, '/admin-ui/api/teams', { cookie });
    expect(refused.status).toBe(401);
    expect(refused.json().error.message).toMatch(/revoked/);
  });

  it('the pages read teams, users with their keys, quotas where they stand, spend by user equal to the ledger, and the latest requests with who sent them', async () => {
    const member = await stack.member({ monthlyUsd: 50, mode: 'hard' }, { monthlyUsd: 5, dailyUsd: 1, rpm: 60 });
    const first = await stack.chat(member.key, { inputTokens: 2000, outputTokens: 300 });
    const second = await stack.chat(member.key, { inputTokens: 500, outputTokens: 50 });
    const { cookie } = await adminLogIn(port);
    const get = async (path: string) => {
      const reply = await uiRequest(port, path, { cookie });
      expect(reply.status, reply.text).toBe(200);
      return reply.json();
    };

    const { teams } = await get('/admin-ui/api/teams');
    expect(teams.find((team: { name: string }) => team.name === member.team)).toMatchObject({ id: member.teamId, monthlyBudgetUsd: 50, budgetMode: 'hard', members: 1, activeKeys: 1 });
    const { users } = await get('/admin-ui/api/users');
    const listing = users.find((item: { user: { email: string } }) => item.user.email === member.email);
    expect(listing).toMatchObject({ user: { id: member.userId, monthlyBudgetUsd: 5, rpm: 60 }, team: { name: member.team }, keys: [{ id: member.keyId, prefix: member.key.slice(0, 8) }] });
    expect(JSON.stringify(users)).not.toContain(member.key);

    const { rows } = await stack.db.query<{ spent: number; requests: string }>('SELECT sum(cost_usd) AS spent, count(*) AS requests FROM ledger_events WHERE user_id = $1', [member.userId]);
    const ledgerSpent = rows[0]?.spent as number;
    expect(ledgerSpent).toBeGreaterThan(0);
    const byUser = await get('/admin-ui/api/report?by=user');
    const row = byUser.rows.find((item: { id?: string }) => item.id === member.userId);
    expect(row).toMatchObject({ key: member.email, requests: 2 });
    expect(row.costUsd).toBeCloseTo(ledgerSpent, 12);
    const byTeam = await get('/admin-ui/api/report?by=team');
    expect(byTeam.rows.find((item: { id?: string }) => item.id === member.teamId).costUsd).toBeCloseTo(ledgerSpent, 12);

    const quotas = await get('/admin-ui/api/quotas');
    expect(quotas.redis).toEqual({ reachable: true });
    const mine = quotas.budgets.filter((budget: { team: { id: string } }) => budget.team.id === member.teamId);
    expect(mine.map((budget: { owner: string; period: string; limitUsd: number }) => `${budget.owner} ${budget.period} ${budget.limitUsd}`).sort()).toEqual(['team monthly 50', 'user daily 1', 'user monthly 5']);
    for (const budget of mine) {
      expect(budget.spentUsd).toBeCloseTo(ledgerSpent, 9);
      expect(budget.reservedUsd).toBe(0);
      expect(budget.mode).toBe('hard');
    }
    expect(quotas.rates).toContainEqual({ id: member.userId, email: member.email, team: { id: member.teamId, name: member.team }, rpm: 60, tpm: null });

    const { requests } = await get('/admin-ui/api/requests?limit=5');
    expect(requests.map((request: { id: string }) => request.id).slice(0, 2)).toEqual([second, first]);
    expect(requests[0]).toMatchObject({ user: { id: member.userId, email: member.email }, team: { id: member.teamId, name: member.team }, key: { id: member.keyId, prefix: member.key.slice(0, 8) }, model: 'openai/gpt-4o-mini', status: 'ok', inputTokens: 500, outputTokens: 50 });
  });

  it('bad words are a 400 naming them, as the admin API\'s', async () => {
    const { cookie } = await adminLogIn(port);
    for (const [path, param] of [
      ['/admin-ui/api/requests?limit=0', 'limit'],
      ['/admin-ui/api/requests?limit=9999', 'limit'],
      ['/admin-ui/api/requests?since=1', 'since'],
      ['/admin-ui/api/report?by=nobody', 'by'],
      ['/admin-ui/api/report?month=2026-13', 'month'],
    ] as const) {
      const reply = await uiRequest(port, path, { cookie });
      expect(reply.status, path).toBe(400);
      expect(reply.json().error.param, path).toBe(param);
    }
  });

  it('a second instance knows the session (it lives in Redis); with an https LODESTAR_PUBLIC_URL, its host is allowed, its Origin must be https and the cookie is Secure', async () => {
    const other = await stack.another({ LODESTAR_PUBLIC_URL: 'https://lodestar.example.com', LODESTAR_PUBLIC_HOSTS: 'admin.internal:8443' });
    const otherPort = Number(new URL(other.url).port);
    const { cookie } = await adminLogIn(port);
    expect((await uiRequest(otherPort, '/admin-ui/api/session', { cookie })).status).toBe(200);
    expect((await uiRequest(otherPort, '/admin-ui/api/session', { cookie, host: 'lodestar.example.com' })).status).toBe(200);
    expect((await uiRequest(otherPort, '/admin-ui/api/session', { cookie, host: 'admin.internal:8443' })).status).toBe(200);
    expect((await uiRequest(otherPort, '/admin-ui/api/session', { cookie, host: 'admin.internal' })).status).toBe(403);

    const publicLogin = (origin: string) => uiRequest(otherPort, '/admin-ui/login', { method: 'POST', body: {}, host: 'lodestar.example.com', origin, headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    expect((await publicLogin('http://lodestar.example.com')).status).toBe(403);
    const secure = await publicLogin('https://lodestar.example.com');
    expect(secure.status).toBe(200);
    expect((secure.headers['set-cookie'] as string[])[0]).toMatch(/; Secure$/);

    // A logout on one instance holds on the other at once.
    expect((await uiRequest(otherPort, '/admin-ui/logout', { method: 'POST', body: {}, cookie })).status).toBe(204);
    expect((await uiRequest(port, '/admin-ui/api/session', { cookie })).status).toBe(401);
    other.child.kill('SIGTERM');
    await other.exited;
  });

  it('a bad LODESTAR_PUBLIC_URL or LODESTAR_PUBLIC_HOSTS stops the server at start, naming the variable', async () => {
    await expect(stack.another({ LODESTAR_PUBLIC_URL: 'ftp://lodestar.example.com' })).rejects.toThrow(/LODESTAR_PUBLIC_URL must be/);
    await expect(stack.another({ LODESTAR_PUBLIC_HOSTS: 'good.example, bad host' })).rejects.toThrow(/LODESTAR_PUBLIC_HOSTS: "bad host"/);
  });
});
