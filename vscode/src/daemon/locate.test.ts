import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { processStartTime } from '../../../src/shared/daemon-state.js';
import { locateDaemon } from './locate.js';

function home(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'lodestar-vscode-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(folder, name), content, { mode: 0o600 });
  return folder;
}
const TOKEN = 'a'.repeat(64);
const alive = JSON.stringify({ pid: process.pid, host: '127.0.0.1', port: 4999, url: 'http://127.0.0.1:4999', version: 'x', startedAt: '', processStart: processStartTime(process.pid) });

describe('locateDaemon', () => {
  it('finds the daemon daemon.json names in $LODESTAR_HOME, with the token beside it', () => {
    const folder = home({ token: `${TOKEN}\n`, 'daemon.json': alive });
    expect(locateDaemon({ home: '', daemonUrl: '' }, { LODESTAR_HOME: folder })).toEqual({ kind: 'found', url: 'http://127.0.0.1:4999', token: TOKEN, home: folder });
  });

  it('lets the lodestar.home setting win over the environment', () => {
    const folder = home({ token: TOKEN, 'daemon.json': alive });
    expect(locateDaemon({ home: folder, daemonUrl: '' }, { LODESTAR_HOME: '/nowhere' })).toMatchObject({ kind: 'found', home: folder });
  });

  it('says the daemon is down when daemon.json is missing or names a dead process', () => {
    expect(locateDaemon({ home: home({ token: TOKEN }), daemonUrl: '' }, {})).toMatchObject({ kind: 'down', reason: 'the daemon is not running' });
    const dead = home({ token: TOKEN, 'daemon.json': JSON.stringify({ pid: 2 ** 22 + 12345, port: 1 }) });
    expect(locateDaemon({ home: dead, daemonUrl: '' }, {})).toMatchObject({ kind: 'down', reason: expect.stringContaining('is gone') });
    expect(locateDaemon({ home: home({}), daemonUrl: '' }, {})).toMatchObject({ kind: 'down', reason: expect.stringContaining('no token') });
  });

  it('takes a loopback daemonUrl, and refuses any other address rather than send the token there', () => {
    const folder = home({ token: TOKEN });
    expect(locateDaemon({ home: folder, daemonUrl: 'http://127.0.0.1:5050/' }, {})).toMatchObject({ kind: 'found', url: 'http://127.0.0.1:5050' });
    expect(locateDaemon({ home: folder, daemonUrl: 'http://evil.example:5050' }, {})).toMatchObject({ kind: 'down', reason: expect.stringContaining('not a loopback address') });
  });
});
