import pg from 'pg';
import { startOpenAIDouble, type Double } from '../doubles/index.js';
import { cleanupHome, tempHome } from './cli.js';
import { KEYS } from './gateway.js';
import { startPostgres, type Postgres } from './postgres.js';
import { startRedis, type Redis } from './redis.js';
import { adminCall, spawnTeamServer, type TeamServerProcess } from './team-server.js';
import { uiRequest, type UiReply } from './web-ui.js';

export const ADMIN_KEY = 'lsa_team_admin_ui_admin_key_0123456789abcd';

/**
 * A `lodestar server` over real PostgreSQL and Redis with OpenAI's double behind it, for the admin
 * pages' tests: teams and users made through the admin API, model requests sent with a user's
 * key, the ledger read straight from PostgreSQL.
 */
export interface TeamStack {
  server: TeamServerProcess;
  port: number;
  openai: Double;
  db: pg.Client;
  databaseUrl: string;
  redisUrl: string;
  /** A new team (with `team`'s fields) and a user in it (with `user`'s): the user's key and ids. */
  member(team?: Record<string, unknown>, user?: Record<string, unknown>): Promise<Member>;
  /** A chat completion with a user's key: its x-lodestar-request-id, once the event is in PostgreSQL. */
  chat(key: string, usage?: { inputTokens: number; outputTokens: number }): Promise<string>;
  /** Another instance on the same database and Redis. */
  another(env?: Record<string, string>): Promise<TeamServerProcess>;
  stop(): Promise<void>;
}

export interface Member {
  key: string;
  email: string;
  team: string;
  userId: string;
  teamId: string;
  keyId: string;
}

export async function startTeamStack(env: Record<string, string> = {}): Promise<TeamStack> {
  const [postgres, redis, openai]: [Postgres, Redis, Double] = await Promise.all([startPostgres(), startRedis(), startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai })]);
  const homes: string[] = [];
  const servers: TeamServerProcess[] = [];
  const databaseUrl = await postgres.createDatabase();
  const start = async (extra: Record<string, string>): Promise<TeamServerProcess> => {
    const home = tempHome('lodestar-admin-ui-');
    homes.push(home);
    const server = await spawnTeamServer({ home, databaseUrl, redisUrl: redis.url, env: { LODESTAR_ADMIN_KEY: ADMIN_KEY, OPENAI_API_KEY: KEYS.openai, OPENAI_BASE_URL: openai.url, ...extra } });
    servers.push(server);
    return server;
  };
  const server = await start(env);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  let made = 0;

  return {
    server,
    port: Number(new URL(server.url).port),
    openai,
    db,
    databaseUrl,
    redisUrl: redis.url,
    async member(team = {}, user = {}) {
      const name = `team-${++made}-${Math.random().toString(36).slice(2, 6)}`;
      const email = `${name}@example.com`;
      const teamMade = await adminCall(server.url, ADMIN_KEY, 'POST', '/admin/teams', { name, ...team });
      if (teamMade.status !== 201) throw new Error(`team add: ${JSON.stringify(teamMade.body)}`);
      const added = await adminCall(server.url, ADMIN_KEY, 'POST', '/admin/users', { email, team: name, ...user });
      if (added.status !== 201) throw new Error(`user add: ${JSON.stringify(added.body)}`);
      return { key: added.body.key, email, team: name, userId: added.body.user.id, teamId: added.body.team.id, keyId: added.body.id };
    },
    async chat(key, usage = { inputTokens: 1000, outputTokens: 100 }) {
      openai.setDefault({ kind: 'reply', text: 'hello', usage });
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`chat answered ${response.status}`);
      const id = response.headers.get('x-lodestar-request-id') as string;
      const deadline = Date.now() + 10_000;
      while ((await db.query('SELECT 1 FROM ledger_events WHERE id = $1', [id])).rows.length === 0) {
        if (Date.now() > deadline) throw new Error(`event ${id} never reached PostgreSQL`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return id;
    },
    another: (extra = {}) => start(extra),
    async stop() {
      for (const running of servers) if (running.child.exitCode === null) running.child.kill('SIGKILL');
      await db.end().catch(() => undefined);
      await Promise.all([postgres.stop(), redis.stop(), openai.close()]);
      for (const home of homes) cleanupHome(home);
    },
  };
}

/** Logs in to the admin pages as their login form does: the session cookie ("name=value") and the whole answer. */
export async function adminLogIn(port: number, key = ADMIN_KEY): Promise<{ cookie: string; reply: UiReply }> {
  const reply = await uiRequest(port, '/admin-ui/login', { method: 'POST', body: {}, headers: { authorization: `Bearer ${key}` } });
  const setCookie = (reply.headers['set-cookie'] as string[] | undefined)?.[0];
  if (reply.status !== 200 || !setCookie) throw new Error(`login answered ${reply.status}: ${reply.text}`);
  return { cookie: setCookie.split(';')[0] as string, reply };
}
