import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workspaceProject } from './project.js';

describe('workspaceProject', () => {
  it("reads the nearest .lodestarrc's project (comments allowed), its folder being the root", () => {
    const root = mkdtempSync(join(tmpdir(), 'lodestar-ws-'));
    writeFileSync(join(root, '.lodestarrc'), '// settings\n{ "project": "shop", }\n');
    mkdirSync(join(root, 'web'));
    expect(workspaceProject(join(root, 'web'))).toEqual({ name: 'shop', root, file: join(root, '.lodestarrc') });
  });

  it('names the project after the git root as the CLI does, and says what is wrong with a bad .lodestarrc', () => {
    const parent = mkdtempSync(join(tmpdir(), 'lodestar-ws-'));
    const root = join(parent, 'My App');
    mkdirSync(join(root, '.git'), { recursive: true });
    mkdirSync(join(root, 'src'));
    expect(workspaceProject(join(root, 'src'))).toMatchObject({ name: 'My-App', root: join(root, 'src'), file: undefined });
    writeFileSync(join(root, '.lodestarrc'), '{ "project": "no spaces allowed" }');
    expect(workspaceProject(root)).toMatchObject({ name: 'My-App', problem: expect.stringContaining('"project" must be') });
  });
});
