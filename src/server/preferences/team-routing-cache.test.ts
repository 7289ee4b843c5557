import { afterEach, describe, expect, it } from 'vitest';
import { IdentityError } from '../identity/identity-error.js';
import { TeamRoutingCache } from './team-routing-cache.js';
import { checkTeamRouting, type TeamRouting } from './team-routing.js';

const TEAM = '00000000-0000-4000-8000-000000000001';
const OTHER = '00000000-0000-4000-8000-000000000002';

/** A store in memory that counts its reads, and can be made slow or down. */
class FakeStore {
  routings = new Map<string, TeamRouting | IdentityError>([
    [TEAM, checkTeamRouting({ floors: { edit: 70 } })],
    [OTHER, checkTeamRouting({})],
  ]);
  reads: string[][] = [];
  down = false;
  gate: Promise<void> | undefined;

  async readTeamRoutings(teamIds: readonly string[]): Promise<Map<string, TeamRouting | IdentityError>> {
    this.reads.push([...teamIds]);
    const answer = new Map([...this.routings].filter(([id]) => teamIds.includes(id)));
    await this.gate;
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return answer;
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await wait(5);
  }
}

describe('TeamRoutingCache', () => {
  const caches: TeamRoutingCache[] = [];
  const make = (store: FakeStore, options: { refreshMs?: number; idleMs?: number; onError?: (message: string) => void } = {}) => {
    const cache = new TeamRoutingCache({ store, ...options });
    caches.push(cache);
    return cache;
  };
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.close();
  });

  it('reads a team once, for every request that asks at once; later requests are served from memory', async () => {
    const store = new FakeStore();
    const cache = make(store);
    expect(cache.current(TEAM)).toBeUndefined();
    const [a, b] = await Promise.all([cache.get(TEAM), cache.get(TEAM)]);
    expect(a).toEqual({ floors: { edit: 70 }, projectOverrides: true, freeWhenOverBudget: false });
    expect(b).toBe(a);
    expect(store.reads).toEqual([[TEAM]]);
    expect(await cache.get(TEAM)).toBe(a);
    expect(cache.current(TEAM)).toBe(a);
    expect(store.reads).toHaveLength(1);
  });

  it('sees a change within its refresh, without a request waiting for it, and keeps the same object while nothing changes', async () => {
    const store = new FakeStore();
    const cache = make(store, { refreshMs: 50 });
    const first = await cache.get(TEAM);
    await until(() => store.reads.length >= 3);
    expect(cache.current(TEAM)).toBe(first);
    store.routings.set(TEAM, checkTeamRouting({ floors: { edit: 90 } }));
    // Reads in flight from now on are held: the request is answered from memory all the same.
    let open: () => void = () => undefined;
    store.gate = new Promise((resolve) => (open = resolve));
    const started = performance.now();
    expect(await cache.get(TEAM)).toBe(first);
    expect(performance.now() - started).toBeLessThan(20);
    open();
    store.gate = undefined;
    await until(() => cache.current(TEAM)?.floors?.edit === 90);
  });

  it('serves the last routing read while the database is down, says so once, and once when it is back', async () => {
    const store = new FakeStore();
    const errors: string[] = [];
    const cache = make(store, { refreshMs: 20, onError: (message) => errors.push(message) });
    const first = await cache.get(TEAM);
    store.down = true;
    await until(() => errors.length === 1);
    await wait(80);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/reading teams' routing fails \(connect ECONNREFUSED.*the last routing read is used meanwhile/);
    expect(await cache.get(TEAM)).toBe(first);
    // A team never read can't be served: its first request fails.
    await expect(cache.get(OTHER)).rejects.toThrow(/ECONNREFUSED/);
    store.down = false;
    await until(() => errors.length === 2);
    expect(errors[1]).toBe("reading teams' routing works again");
    expect(await cache.get(OTHER)).toEqual({ projectOverrides: true, freeWhenOverBudget: false });
  });

  it('refuses a team that does not exist, and one whose stored routing no longer passes the checks', async () => {
    const store = new FakeStore();
    store.routings.set(OTHER, new IdentityError('invalid', 'preferred.0', 'the stored routing of team "x" is no longer valid'));
    const cache = make(store);
    await expect(cache.get('00000000-0000-4000-8000-00000000000f')).rejects.toMatchObject({ code: 'not_found', field: 'team' });
    await expect(cache.get(OTHER)).rejects.toMatchObject({ code: 'invalid', field: 'preferred.0' });
    expect(cache.current(OTHER)).toBeUndefined();
  });

  it('never lets an older read answering late overwrite a newer one', async () => {
    const store = new FakeStore();
    const cache = make(store, { refreshMs: 1000 });
    await cache.get(TEAM);
    // A slow read (the refresh) starts, then the routing changes and a newer read (a change heard of) answers first.
    let open: () => void = () => undefined;
    store.gate = new Promise((resolve) => (open = resolve));
    const slow = (cache as unknown as { refresh(): Promise<void> }).refresh();
    store.gate = undefined;
    store.routings.set(TEAM, checkTeamRouting({ floors: { edit: 95 } }));
    await cache.changed(TEAM);
    expect(cache.current(TEAM)?.floors?.edit).toBe(95);
    open();
    await slow;
    expect(cache.current(TEAM)?.floors?.edit).toBe(95);
  });

  it('forgets a team no request asked for in idleMs, and then reads nothing', async () => {
    const store = new FakeStore();
    const cache = make(store, { refreshMs: 10, idleMs: 30 });
    await cache.get(TEAM);
    await until(() => cache.size === 0, 1000);
    const reads = store.reads.length;
    await wait(60);
    expect(store.reads.length).toBe(reads);
  });

  it('hands out frozen objects', async () => {
    const cache = make(new FakeStore());
    const routing = await cache.get(TEAM);
    expect(Object.isFrozen(routing)).toBe(true);
    expect(Object.isFrozen(routing.floors)).toBe(true);
  });

  it('refuses a refresh slower than the staleness bound', () => {
    expect(() => new TeamRoutingCache({ store: new FakeStore(), refreshMs: 5000 })).toThrow(/at most 1000/);
  });
});
