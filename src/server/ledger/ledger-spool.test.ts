import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticEvent, SYNTHETIC_OWNER } from '../../../test/helpers/ledger-events.js';
import { listSegments, lockSpool, NO_OWNER, parseSpool, segmentName, spoolLine, SpoolSegment } from './ledger-spool.js';

const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'lodestar-spool-'));
  folders.push(path);
  return path;
}
afterEach(() => {
  for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
});

describe('the ledger spool', () => {
  it('writes an event and its owner as one line and reads them back as they were', () => {
    const event = { ...syntheticEvent('line', 7), files: [{ path: 'src/a "quoted"\nname.ts', share: 1 }] };
    const line = spoolLine(event, SYNTHETIC_OWNER);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    const bare = spoolLine(syntheticEvent('line', 8), NO_OWNER);
    expect(parseSpool(line + bare)).toEqual({
      events: [
        { event, owner: SYNTHETIC_OWNER },
        { event: syntheticEvent('line', 8), owner: NO_OWNER },
      ],
      torn: [],
    });
  });

  it('sets apart a last line cut short and a line that is not an event, and reads the rest', () => {
    const lines = [0, 1, 2].map((index) => spoolLine(syntheticEvent('torn', index), SYNTHETIC_OWNER));
    const cut = (lines[2] as string).slice(0, 80);
    // A whole line that parses but is not a spooled event, and one that does not parse at all.
    const text = `${lines[0]}{"v":99}\n${lines[1]}not json\n${cut}`;
    const { events, torn } = parseSpool(text);
    expect(events.map(({ event }) => event.id)).toEqual(['torn-0', 'torn-1']);
    expect(torn).toEqual([
      { line: 2, text: '{"v":99}' },
      { line: 4, text: 'not json' },
      { line: 5, text: cut },
    ]);
    // A whole last line without its newline is torn too: every whole write ends with one.
    expect(parseSpool((lines[0] as string).trimEnd()).torn).toHaveLength(1);
    expect(parseSpool('')).toEqual({ events: [], torn: [] });
  });

  it('creates segments 0600, never over an existing file, and lists them oldest first', () => {
    const directory = folder();
    const second = SpoolSegment.create(directory, 10, true);
    const first = SpoolSegment.create(directory, 9, false);
    expect(() => SpoolSegment.create(directory, 9, true)).toThrow(/EEXIST/);
    const bytes = first.append(spoolLine(syntheticEvent('seg', 1), NO_OWNER));
    expect(first.bytes).toBe(bytes);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    writeFileSync(join(directory, 'rejected.jsonl'), '');
    writeFileSync(join(directory, '12.jsonl'), '');
    expect(listSegments(directory)).toEqual([
      { seq: 9, path: join(directory, segmentName(9)), bytes },
      { seq: 10, path: second.path, bytes: 0 },
    ]);
    expect(segmentName(9)).toBe('000000000009.jsonl');
  });

  it('syncs and closes a segment once, after which it takes no more lines', async () => {
    const directory = folder();
    const segment = SpoolSegment.create(directory, 1, true);
    segment.append(spoolLine(syntheticEvent('close', 1), NO_OWNER));
    await Promise.all([segment.sync(), segment.closeFile(), segment.closeFile()]);
    expect(() => segment.append('x\n')).toThrow(/closed/);
    expect(parseSpool(readFileSync(segment.path, 'utf8')).events).toHaveLength(1);
  });

  it('locks the folder: refused while its holder lives, taken over from one that is gone', () => {
    const directory = join(folder(), 'spool');
    const release = lockSpool(directory);
    expect(statSync(directory).mode & 0o777).toBe(0o700);
    // A second writer in this process.
    expect(() => lockSpool(directory)).toThrow(/in use by process/);
    release();
    expect(readdirSync(directory)).toEqual([]);

    // Another live process (the one that started this test).
    writeFileSync(join(directory, 'lock'), `${process.ppid}\n`);
    expect(() => lockSpool(directory)).toThrow(new RegExp(`in use by process ${process.ppid}`));

    // A process that has exited: its lock is stale.
    const gone = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileSync(join(directory, 'lock'), `${gone}\n`);
    const again = lockSpool(directory);
    expect(readFileSync(join(directory, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    again();

    // A lock naming this very pid was left by an earlier run of a process with the same pid (pid 1 in a container).
    writeFileSync(join(directory, 'lock'), `${process.pid}\n`);
    lockSpool(directory)();
  });
});
