import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/**
 * ARCHITECTURE.md's "who may import whom", checked on every relative import of src/ (tests
 * excepted: a test may import anything). A folder of src/ is named by its first segment, with
 * providers/spec apart from the rest of providers/.
 */
const ALLOWED: Readonly<Record<string, readonly string[] | { not: readonly string[] }>> = {
  shared: [],
  config: ['shared'],
  router: ['providers/spec', 'shared'],
  'providers/spec': ['shared'],
  providers: { not: ['daemon', 'router', 'ledger', 'cli', 'cache', 'gpu', 'ui', 'web'] },
  ledger: { not: ['daemon', 'cli', 'ui', 'web'] },
  cache: { not: ['daemon', 'cli', 'ui', 'web'] },
  gpu: { not: ['daemon', 'cli', 'ui', 'web'] },
  launch: { not: ['daemon', 'cli', 'ui', 'web'] },
  // The UIs read the daemon over HTTP; what they share with the CLI lives in shared/.
  ui: ['shared'],
  web: ['shared'],
  // The CLI reaches the daemon and the team server over HTTP (or runs them as processes).
  cli: { not: ['daemon', 'server'] },
  daemon: { not: ['cli', 'ui', 'web', 'server'] },
  // Team mode (`lodestar server`): the daemon's modules over PostgreSQL and Redis stores. It runs
  // no child tools, and the local daemon never needs it: the server hands its stores to the
  // daemon's code, never the other way round.
  server: { not: ['cli', 'ui', 'web', 'launch'] },
};

function folderOf(path: string): string {
  const parts = relative(join(ROOT, 'src'), path).split('/');
  return parts[0] === 'providers' && parts[1] === 'spec' ? 'providers/spec' : (parts[0] as string);
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("ARCHITECTURE.md's import rules", () => {
  it('no module of src/ imports what its folder may not', () => {
    const broken: string[] = [];
    for (const file of sources(join(ROOT, 'src'))) {
      const from = folderOf(file);
      const rule = ALLOWED[from];
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = normalize(join(dirname(file), match[1] as string));
        if (!target.startsWith(join(ROOT, 'src'))) continue;
        const to = folderOf(target);
        if (to === from || (from === 'providers' && to === 'providers/spec')) continue;
        const ok = rule === undefined ? true : Array.isArray(rule) ? rule.includes(to) : !(rule as { not: readonly string[] }).not.includes(to);
        if (!ok) broken.push(`${relative(ROOT, file)} (${from}) imports ${match[1]} (${to})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("the VS Code extension (vscode/) reaches the daemon over HTTP only: of src/ it imports shared/ alone", () => {
    const broken: string[] = [];
    for (const file of sources(join(ROOT, 'vscode', 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
        const target = normalize(join(dirname(file), match[1] as string));
        if (target.startsWith(join(ROOT, 'vscode', 'src'))) continue;
        if (!target.startsWith(join(ROOT, 'src', 'shared'))) broken.push(`${relative(ROOT, file)} imports ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
