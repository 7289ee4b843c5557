import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/server/db/database.js';
import { PostgresTeamRoutingStore } from '../../src/server/preferences/postgres-team-routing-store.js';
import { TeamRoutingCache } from '../../src/server/preferences/team-routing-cache.js';
import { cleanupHome, runCli, tempHome } from '../helpers/cli.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';
import { ADMIN_KEY_LINE, adminCall, spawnTeamServer, type TeamServerProcess } from '../helpers/team-server.js';

/**
 * A team's shared routing: the admin API (GET, PUT, PATCH /admin/teams/{team}/routing) of a real
 * `lodestar server` process (bin/lodestar, dist/) over a real PostgreSQL and Redis,
 * `lodestar admin team routing` and `team set` as real processes against it, and the hot path's
 * cache seeing what they change.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
if (redisUnavailable()) process.stderr.write(`${redisUnavailable()}: the team routing tests are SKIPPED\n`);

describe.skipIf(!HAVE)("a team's shared routing: admin API, CLI and cache", { timeout: 40_000 }, () => {
  let postgres: Postgres;
  let redis: Redis;
  let home: string;
  let databaseUrl: string;
  let server: TeamServerProcess;
  let adminKey: string;
  let env: Record<string, string>;
  let pool: pg.Pool;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPostgres(), startRedis('routing-e2e-password-1')]);
    home = tempHome();
    databaseUrl = await postgres.createDatabase();
    server = await spawnTeamServer({ home, databaseUrl, redisUrl: redis.url });
    adminKey = [...server.stderr().matchAll(ADMIN_KEY_LINE)].map((match) => match[1] as string)[0] as string;
    env = { LODESTAR_SERVER: server.url, LODESTAR_ADMIN_KEY: adminKey };
    pool = createPool(databaseUrl, { max: 2 });
    const team = await runCli(['admin', 'team', 'add', 'platform', '--models', 'anthropic/claude-sonnet-5,ollama/qwen2.5-coder:3b'], { home, env });
    expect(team.exitCode).toBe(0);
  }, 30_000);

  afterAll(async () => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
    await pool?.end();
    await Promise.all([postgres?.stop(), redis?.stop()]);
    if (home) cleanupHome(home);
  });

  /** The rows a write would change, to show that a refused one changed nothing. */
  const stored = async () => (await pool.query('SELECT t.allowed_models, r.* FROM teams t LEFT JOIN team_routing r ON r.team_id = t.id ORDER BY t.name')).rows;
  const cli = (...args: string[]) => runCli(['admin', 'team', ...args], { home, env });

  it('a team that set nothing: the defaults and its allowed models', async () => {
    const result = await cli('routing', 'platform', '--json');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      team: { id: expect.any(String), name: 'platform' },
      routing: { allowedModels: ['anthropic/claude-sonnet-5', 'ollama/qwen2.5-coder:3b'], projectOverrides: true, freeWhenOverBudget: false },
      updatedAt: null,
      updatedBy: null,
    });
    const human = await cli('routing', 'PLATFORM');
    expect(human.stdout).toContain("Routing of team platform (never set: the server's config applies):");
    expect(human.stdout).toContain("project settings: apply under the team's");
  });

  it('team set changes what its flags name, logged with who and what, and the key never', async () => {
    const set = await cli('set', 'platform', '--floor', 'edit=75', '--floor', 'commit=20', '--forbid', 'openai/*,groq/*', '--prefer', 'anthropic/claude-sonnet-5', '--task-model', 'commit=ollama/qwen2.5-coder:3b', '--claude', 'background=deepseek/deepseek-flash', '--no-project-overrides', '--free-when-over-budget');
    expect(set.stderr).toBe('');
    expect(set.exitCode).toBe(0);
    expect(set.stdout).toContain('Team platform: floors, preferred, forbidden, taskModels, claude, projectOverrides, freeWhenOverBudget changed.');
    expect(set.stdout).toContain('floors:           edit 75, commit 20');
    const answer = await adminCall(server.url, adminKey, 'GET', '/admin/teams/platform/routing');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      routing: {
        floors: { edit: 75, commit: 20 },
        preferred: ['anthropic/claude-sonnet-5'],
        forbidden: ['openai/*', 'groq/*'],
        taskModels: { commit: 'ollama/qwen2.5-coder:3b' },
        claude: { background: 'deepseek/deepseek-flash' },
        allowedModels: ['anthropic/claude-sonnet-5', 'ollama/qwen2.5-coder:3b'],
        projectOverrides: false,
        freeWhenOverBudget: true,
      },
      updatedBy: adminKey.slice(0, 8),
    });
    expect(Date.now() - Date.parse(answer.body.updatedAt)).toBeLessThan(10_000);
    expect(server.stderr()).toMatch(/team routing changed.*"by":"lsa_.{4}".*"floors":\{"from":null,"to":\{"edit":75,"commit":20\}\}/);
    // The key is printed once, at first start; never in what a change logs.
    const logged = server.stderr().split('\n').filter((line) => line.includes('team routing'));
    expect(logged.join('\n')).not.toContain(adminKey);

    // TASK= removes one entry, '' a list; the rest stays.
    const unset = await cli('set', 'platform', '--floor', 'commit=', '--prefer', '', '--all-models', '--json');
    expect(unset.exitCode).toBe(0);
    const after = JSON.parse(unset.stdout);
    expect(after.changed).toEqual(['floors', 'preferred', 'allowedModels']);
    expect(after.routing).toEqual({ floors: { edit: 75 }, forbidden: ['openai/*', 'groq/*'], taskModels: { commit: 'ollama/qwen2.5-coder:3b' }, claude: { background: 'deepseek/deepseek-flash' }, projectOverrides: false, freeWhenOverBudget: true });
    expect((await cli('routing', 'platform')).stdout).toContain('allowed models:   every model');
  });

  it('--routing-file replaces the whole routing with what `team routing --json` printed, edited; flags apply over it', async () => {
    const printed = JSON.parse((await cli('routing', 'platform', '--json')).stdout);
    const file = join(home, 'routing.json');
    // The whole answer, as printed (team, updatedAt, ...): its routing is what counts.
    writeFileSync(file, JSON.stringify({ ...printed, routing: { ...printed.routing, forbidden: undefined, floors: { edit: 80, agent: 60 } } }));
    const result = await cli('set', 'platform', '--routing-file', file, '--project-overrides', '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).routing).toEqual({ floors: { edit: 80, agent: 60 }, taskModels: { commit: 'ollama/qwen2.5-coder:3b' }, claude: { background: 'deepseek/deepseek-flash' }, projectOverrides: true, freeWhenOverBudget: true });
    // Its routing alone does as well; a key it does not know is refused, naming it.
    writeFileSync(file, JSON.stringify({ floors: { edit: 80 }, freeWhenOverBudget: true }));
    expect(JSON.parse((await cli('set', 'platform', '--routing-file', file, '--json')).stdout).routing).toEqual({ floors: { edit: 80 }, projectOverrides: true, freeWhenOverBudget: true });
    writeFileSync(file, JSON.stringify({ floors: { edit: 80, agent: 60 }, taskModels: { commit: 'ollama/qwen2.5-coder:3b' }, budget: 5 }));
    const refused = await cli('set', 'platform', '--routing-file', file);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('field: budget');
    writeFileSync(file, JSON.stringify({ floors: { edit: 80, agent: 60 }, taskModels: { commit: 'ollama/qwen2.5-coder:3b' }, freeWhenOverBudget: true }));
    expect((await cli('set', 'platform', '--routing-file', file)).exitCode).toBe(0);
  });

  it('the CLI refuses bad input naming the field, and writes nothing', async () => {
    const before = await stored();
    const refused: Array<[string[], number, string[]]> = [
      [['set', 'platform', '--floor', 'edt=70'], 1, ['field: floors.edt', 'did you mean "edit"?']],
      [['set', 'platform', '--task-model', 'deploy=openai/gpt-5'], 1, ['field: taskModels.deploy']],
      [['set', 'platform', '--prefer', 'gpt-4o'], 1, ['field: preferred.0', '"<provider>/<model>"']],
      [['set', 'platform', '--floor', 'edit=101'], 1, ['must be at most 100, got 101']],
      [['set', 'platform', '--claude', 'mian=lodestar/auto'], 1, ['field: claude.mian']],
      [['set', 'nobody', '--floor', 'edit=70'], 1, ['field: team']],
      [['set', 'platform', '--floor', 'edit=high'], 2, ['--floor must be TASK=N']],
      [['set', 'platform'], 2, ['nothing to set']],
      [['set', 'platform', '--models', 'a', '--all-models'], 2, ['--models or --all-models']],
      [['set', 'platform', '--routing-file', join(home, 'missing.json')], 2, ['cannot read --routing-file']],
    ];
    for (const [args, exitCode, words] of refused) {
      const result = await cli(...args);
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode });
      for (const word of words) expect(result.stderr, args.join(' ')).toContain(word);
      expect(result.stdout).toBe('');
    }
    expect(await stored()).toEqual(before);
  });

  it('the API: admin key required; bad bodies a 4xx naming the field that writes nothing; PUT, PATCH and GET only', async () => {
    const path = '/admin/teams/platform/routing';
    expect((await fetch(`${server.url}${path}`)).status).toBe(401);
    expect((await adminCall(server.url, `lsk_${'A'.repeat(43)}`, 'PUT', path, {})).status).toBe(403);
    const before = await stored();
    const cases: Array<[string, string, unknown, number, string | null]> = [
      ['PUT', path, { floors: { edit: 70 }, flors: {} }, 400, 'flors'],
      ['PUT', path, { floors: { complete: 10 } }, 400, 'floors.complete'],
      ['PUT', path, { taskModels: { complete: 'openai/gpt-5-mini' } }, 400, 'taskModels.complete'],
      ['PUT', path, { forbidden: 'openai/*' }, 400, 'forbidden'],
      ['PUT', path, { projectOverrides: 'no' }, 400, 'projectOverrides'],
      ['PUT', path, { allowedModels: [] }, 400, 'allowedModels'],
      ['PATCH', path, { floors: { edit: -5 } }, 400, 'floors.edit'],
      ['PATCH', path, { claude: { main: 'sonnet' } }, 400, 'claude.main'],
      ['PATCH', path, [], 400, null],
      ['PUT', '/admin/teams/nobody/routing', {}, 404, 'team'],
      ['PATCH', '/admin/teams/00000000-0000-4000-8000-000000000000/routing', {}, 404, 'team'],
    ];
    for (const [method, where, body, status, param] of cases) {
      const answer = await adminCall(server.url, adminKey, method, where, body);
      expect({ method, body, status: answer.status, param: answer.body.error?.param ?? null }).toEqual({ method, body, status, param });
    }
    const form = await fetch(`${server.url}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    const wrongMethod = await fetch(`${server.url}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${adminKey}` } });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PUT, PATCH');
    expect(await stored()).toEqual(before);
  });

  it("the hot path's cache sees a change made through the CLI within about a second, serving the last value meanwhile", async () => {
    const teamId = (await adminCall(server.url, adminKey, 'GET', '/admin/teams/platform/routing')).body.team.id as string;
    const cache = new TeamRoutingCache({ store: new PostgresTeamRoutingStore(pool) });
    try {
      const first = await cache.get(teamId);
      expect(first).toEqual({ floors: { edit: 80, agent: 60 }, taskModels: { commit: 'ollama/qwen2.5-coder:3b' }, projectOverrides: true, freeWhenOverBudget: true });
      const result = await cli('set', 'platform', '--floor', 'edit=90');
      expect(result.exitCode).toBe(0);
      const changedAt = Date.now();
      // The refresh is every second (what a request gets never waits for it: team-routing-cache.test.ts).
      while (cache.current(teamId)?.floors?.edit !== 90) {
        expect(Date.now() - changedAt).toBeLessThan(1500);
        expect(await cache.get(teamId)).toBe(first);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    } finally {
      cache.close();
    }
  });
});
