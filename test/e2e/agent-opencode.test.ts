import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { agentBin, skipNote } from '../helpers/agents.js';
import { runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

const opencode = agentBin('opencode');
if (!opencode) skipNote('opencode');

let gateway: Gateway;
let work: string;

beforeAll(async () => {
  if (!opencode) return;
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-opencode-'));
});
afterAll(async () => {
  await gateway?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!opencode)('opencode through Lodestar, with the real opencode CLI', () => {
  it("is set up by lodestar env opencode, and its loop is classed agent and served by the model the agent floor picks", async () => {
    const dir = join(work, 'oc-shop');
    const home = join(work, 'oc-home');
    mkdirSync(dir, { recursive: true });
    mkdirSync(home, { recursive: true });
    const setup = await runCli(['env', 'opencode', '--project', 'oc-shop', '--json'], { home: gateway.home, cwd: dir });
    expect(setup.exitCode, setup.stderr).toBe(0);
    const facts = JSON.parse(setup.stdout) as { env: Record<string, string>; file: { path: string; content: unknown } };
    expect(facts.env.LODESTAR_API_KEY).toBe(`"$(cat ${join(gateway.home, 'token')})"`);
    expect(setup.stdout).not.toContain(gateway.token);
    writeFileSync(join(dir, facts.file.path), JSON.stringify(facts.file.content, null, 2));

    // The agent floor's cheapest model here is DeepSeek's: it writes the file with opencode's write tool, then says so.
    const target = join(dir, 'hello.txt');
    gateway.deepseek.enqueue({ kind: 'reply', toolCalls: [{ name: 'write', arguments: JSON.stringify({ filePath: target, content: 'hi from opencode\n' }) }], finishReason: 'tool_calls' }, { kind: 'reply', text: 'Wrote hello.txt.' });
    const result = await execa(opencode as string, ['run', 'create hello.txt containing hi from opencode'], {
      cwd: dir,
      // opencode takes its project from PWD; offline, it must not look for models.dev or npm.
      env: {
        PATH: process.env.PATH,
        HOME: home,
        PWD: dir,
        XDG_CONFIG_HOME: join(home, '.config'),
        XDG_DATA_HOME: join(home, '.local', 'share'),
        XDG_CACHE_HOME: join(home, '.cache'),
        XDG_STATE_HOME: join(home, '.local', 'state'),
        LODESTAR_API_KEY: gateway.token,
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/',
      },
      extendEnv: false,
      reject: false,
      timeout: 90_000,
      stdin: 'ignore',
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('hi from opencode\n');

    await gateway.waitForEvents(3);
    const events = gateway.events.filter((event: RequestEvent) => event.project === 'oc-shop');
    const loop = events.filter((event) => event.task === 'agent');
    expect(loop.length).toBe(2);
    for (const event of loop) expect(event).toMatchObject({ model: 'deepseek/deepseek-flash', tool: 'opencode', status: 'ok', requestedModel: 'lodestar/auto' });
    expect(new Set(events.map((event) => event.session)).size).toBe(1);
    // Its title request (no tools) went to small_model, the router's cheapest.
    const title = events.find((event) => event.task !== 'agent');
    expect(title).toMatchObject({ requestedModel: 'lodestar/cheap', tool: 'opencode', status: 'ok' });
    // report --by tool shows opencode's spend apart.
    const byTool = JSON.parse((await runCli(['report', '--month', '--by', 'tool', '--json'], { home: gateway.home })).stdout) as { rows: Array<{ key: string; requests: number }> };
    expect(byTool.rows.find((row) => row.key === 'opencode')?.requests).toBe(events.length);
  }, 120_000);
});
