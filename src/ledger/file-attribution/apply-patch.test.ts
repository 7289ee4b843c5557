import { describe, expect, it } from 'vitest';
import { applyPatchWrites } from './apply-patch.js';

describe("Codex's apply_patch", () => {
  it("reads the instructions' own example: an added file, an update moved to a new path, a deletion", () => {
    // codex-rs/apply-patch/apply_patch_tool_instructions.md
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+Hello world\n*** Update File: src/app.py\n*** Move to: src/main.py\n@@ def greet():\n-print("Hi")\n+print("Hello, world!")\n*** Delete File: obsolete.txt\n*** End Patch\n';
    expect(applyPatchWrites(patch)).toEqual([
      { path: 'hello.txt', bytes: Buffer.byteLength('Hello world\n') },
      { path: 'src/main.py', bytes: Buffer.byteLength('print("Hello, world!")\n') },
      { path: 'obsolete.txt', bytes: 0 },
    ]);
  });

  it('counts only the + lines of hunks (context and removals are not written), through *** End of File, and reads a patch inside a heredoc', () => {
    const patch = "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: a.ts\n@@ function f() {\n   const x = 1;\n-  return x;\n+  return x + 1;\n+  // done\n*** End of File\n*** End Patch\nEOF";
    expect(applyPatchWrites(patch)).toEqual([{ path: 'a.ts', bytes: Buffer.byteLength('  return x + 1;\n  // done\n') }]);
  });

  it('finds nothing where there is no patch', () => {
    expect(applyPatchWrites('{"cmd":"ls"}')).toEqual([]);
  });
});
