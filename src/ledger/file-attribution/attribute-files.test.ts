import { describe, expect, it } from 'vitest';
import { EXAMPLE_MESSAGES } from '../../shared/aider-prompts.js';
import { attributeFiles, MAX_FILES_PER_EVENT } from './attribute-files.js';
import { projectPath } from './project-path.js';

const sum = (files: Array<{ share: number }> | undefined): number => (files ?? []).reduce((total, file) => total + file.share, 0);

describe('the path of an edited file', () => {
  it('is relative to the root: absolute under it made relative, outside it dropped, `.` and `..` resolved', () => {
    expect(projectPath('/work/app/src/a.ts', '/work/app')).toBe('src/a.ts');
    expect(projectPath('/work/app/./src/../lib/b.ts', '/work/app/')).toBe('lib/b.ts');
    expect(projectPath('./src/a.ts', '/work/app')).toBe('src/a.ts');
    expect(projectPath('src/x/../../a.ts', '/work/app')).toBe('a.ts');
    expect(projectPath('/work/other/a.ts', '/work/app')).toBeUndefined();
    expect(projectPath('/work/app', '/work/app')).toBeUndefined();
    expect(projectPath('/work/application/a.ts', '/work/app')).toBeUndefined();
    expect(projectPath('../secrets.txt', '/work/app')).toBeUndefined();
    expect(projectPath('src/../../a.ts', '/work/app')).toBeUndefined();
  });

  it('with no root known: relative kept, absolute kept as it is, a climb out or a home path dropped', () => {
    expect(projectPath('src/a.ts', undefined)).toBe('src/a.ts');
    expect(projectPath('/work/app//src/a.ts', undefined)).toBe('/work/app/src/a.ts');
    expect(projectPath('../a.ts', undefined)).toBeUndefined();
    expect(projectPath('~/a.ts', undefined)).toBeUndefined();
    expect(projectPath('', undefined)).toBeUndefined();
    expect(projectPath('src/', undefined)).toBeUndefined();
  });
});

describe('the files an answer edited, and their shares', () => {
  it("splits an Aider reply by the bytes written to each file plus its path's, shares adding up to 1", () => {
    const files = attributeFiles({ text: EXAMPLE_MESSAGES[3]!.content, calls: [] }, { root: '/work/app' });
    // hello.py: 55 bytes written + 8 of its path; main.py: 23 + 7.
    expect(files).toEqual([
      { path: 'hello.py', share: Math.round((63 / 93) * 1e6) / 1e6 },
      { path: 'main.py', share: Math.round((30 / 93) * 1e6) / 1e6 },
    ]);
    expect(sum(files)).toBeCloseTo(1, 12);
  });

  it("adds up a file's edits, keeps the files inside the project, and gives the whole cost to one file written alone", () => {
    const calls = [
      { name: 'Edit', input: JSON.stringify({ file_path: '/work/app/a.ts', old_string: 'x', new_string: 'y'.repeat(40) }) },
      { name: 'Edit', input: JSON.stringify({ file_path: '/work/app/a.ts', old_string: 'z', new_string: 'w'.repeat(50) }) },
      { name: 'Write', input: JSON.stringify({ file_path: '/tmp/scratch.txt', content: 'elsewhere' }) },
      { name: 'Read', input: JSON.stringify({ file_path: '/work/app/b.ts' }) },
    ];
    expect(attributeFiles({ text: 'Done.', calls }, { root: '/work/app' })).toEqual([{ path: 'a.ts', share: 1 }]);
    expect(attributeFiles({ text: 'Done.', calls: calls.slice(2) }, { root: '/work/app' })).toBeUndefined();
    expect(attributeFiles({ text: 'No edits here.', calls: [] }, { root: undefined })).toBeUndefined();
  });

  it('reads fenced file listings only when the request asked for the whole format', () => {
    const text = 'show_greeting.py\n```\nprint("Hey")\n```\n';
    expect(attributeFiles({ text, calls: [] }, { root: undefined })).toBeUndefined();
    expect(attributeFiles({ text, calls: [] }, { root: undefined, wholeFileBlocks: true })).toEqual([{ path: 'show_greeting.py', share: 1 }]);
  });

  it(`keeps at most ${MAX_FILES_PER_EVENT} files, the heaviest, their shares still adding up to 1`, () => {
    const calls = Array.from({ length: 50 }, (_, index) => ({ name: 'write', input: JSON.stringify({ filePath: `f${String(index).padStart(2, '0')}.txt`, content: 'x'.repeat(index + 1) }) }));
    const files = attributeFiles({ text: '', calls }, { root: undefined })!;
    expect(files).toHaveLength(MAX_FILES_PER_EVENT);
    expect(files[0]?.path).toBe('f49.txt');
    expect(files.at(-1)?.path).toBe('f18.txt');
    expect(Math.round(sum(files) * 1e6)).toBe(1e6);
    expect(files.every((file) => file.share > 0)).toBe(true);
  });
});
