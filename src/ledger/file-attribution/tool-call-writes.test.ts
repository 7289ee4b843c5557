import { describe, expect, it } from 'vitest';
import { toolCallWrites } from './tool-call-writes.js';

const call = (name: string, input: unknown): ReturnType<typeof toolCallWrites> => toolCallWrites({ name, input: typeof input === 'string' ? input : JSON.stringify(input) });

describe('the files a tool call writes', () => {
  it("reads Claude Code's Write, Edit, MultiEdit and NotebookEdit (sdk-tools.d.ts shapes)", () => {
    expect(call('Write', { file_path: '/work/app/hello.txt', content: 'hi\n' })).toEqual([{ path: '/work/app/hello.txt', bytes: 3 }]);
    expect(call('Edit', { file_path: '/work/app/a.py', old_string: 'x = 1', new_string: 'x = 22', replace_all: false })).toEqual([{ path: '/work/app/a.py', bytes: 6 }]);
    expect(call('MultiEdit', { file_path: 'b.py', edits: [{ old_string: 'a', new_string: 'bb' }, { old_string: 'c', new_string: 'ddd' }] })).toEqual([{ path: 'b.py', bytes: 5 }]);
    expect(call('NotebookEdit', { notebook_path: '/work/app/n.ipynb', cell_id: 'c1', new_source: 'print(1)', edit_mode: 'replace' })).toEqual([{ path: '/work/app/n.ipynb', bytes: 8 }]);
  });

  it("reads opencode's write, edit and apply_patch {patchText}", () => {
    expect(call('write', { content: 'export {};\n', filePath: '/repo/src/index.ts' })).toEqual([{ path: '/repo/src/index.ts', bytes: 11 }]);
    expect(call('edit', { filePath: 'src/a.ts', oldString: 'a', newString: 'abc' })).toEqual([{ path: 'src/a.ts', bytes: 3 }]);
    expect(call('apply_patch', { patchText: '*** Begin Patch\n*** Update File: src/b.ts\n@@\n-a\n+b\n*** End Patch' })).toEqual([{ path: 'src/b.ts', bytes: 2 }]);
  });

  it("reads Codex's apply_patch as a custom tool's raw input and as a function's {input}, and its shell calls", () => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';
    expect(call('apply_patch', patch)).toEqual([{ path: 'hello.txt', bytes: 6 }]);
    expect(call('apply_patch', { input: patch })).toEqual([{ path: 'hello.txt', bytes: 6 }]);
    expect(call('exec_command', { cmd: "cat > notes.md <<'EOF'\n# Notes\nEOF", justification: 'write notes' })).toEqual([{ path: 'notes.md', bytes: 8 }]);
    expect(call('shell', { command: ['bash', '-lc', 'printf hi > hi.txt'], workdir: '/repo' })).toEqual([{ path: 'hi.txt', bytes: Buffer.byteLength('printf hi') }]);
    expect(call('shell', { command: ['apply_patch', patch] })).toEqual([{ path: 'hello.txt', bytes: 6 }]);
    expect(call('local_shell', { type: 'exec', command: ['sh', '-c', 'echo x > x.txt'] })).toEqual([{ path: 'x.txt', bytes: 6 }]);
    expect(call('exec_command', { cmd: 'ls -la' })).toEqual([]);
  });

  it("reads Gemini CLI's and Qwen Code's write_file and replace, and the Responses API's apply_patch operation", () => {
    expect(call('write_file', { file_path: '/repo/a.md', content: '# A' })).toEqual([{ path: '/repo/a.md', bytes: 3 }]);
    expect(call('replace', { file_path: '/repo/a.md', old_string: '# A', new_string: '# Ab', instruction: 'rename' })).toEqual([{ path: '/repo/a.md', bytes: 4 }]);
    expect(call('apply_patch_call', { type: 'update_file', path: 'c.ts', diff: '@@\n-a\n+bc\n' })).toEqual([{ path: 'c.ts', bytes: 2 }]);
  });

  it('writes nothing for reads, other tools, or arguments that are not what the tool takes', () => {
    expect(call('Read', { file_path: '/repo/a.ts' })).toEqual([]);
    expect(call('Bash', { command: 'echo hi > x' })).toEqual([]);
    expect(call('Write', '{"file_path": "/repo/a.ts", "content": "cut off')).toEqual([]);
    expect(call('Write', { content: 'no path' })).toEqual([]);
  });
});
