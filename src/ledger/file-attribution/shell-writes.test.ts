import { describe, expect, it } from 'vitest';
import { shellWrites } from './shell-writes.js';

const paths = (script: string): string[] => shellWrites(script).map((write) => write.path);

describe('shell commands that write files', () => {
  it("reads a here-document sent to a file, in either order, and counts the body's bytes", () => {
    expect(shellWrites("cat > src/hello.py <<'EOF'\nprint('hello')\nEOF")).toEqual([{ path: 'src/hello.py', bytes: Buffer.byteLength("print('hello')\n") }]);
    expect(shellWrites('cat <<EOF >> notes.md\n- one\n- two\nEOF\necho done')).toEqual([{ path: 'notes.md', bytes: Buffer.byteLength('- one\n- two\n') }]);
    expect(shellWrites('cat <<-"END" | tee a.txt b.txt >/dev/null\n\tx\n\tEND')).toEqual([
      { path: 'a.txt', bytes: 3 },
      { path: 'b.txt', bytes: 3 },
    ]);
  });

  it('reads plain redirections and tee, quoted targets included', () => {
    expect(paths("printf 'hi\\n' > hello.txt && echo ok >> 'logs/run log.txt'")).toEqual(['hello.txt', 'logs/run log.txt']);
    expect(paths('npm test 2>&1 | tee -a test-output.txt')).toEqual(['test-output.txt']);
    expect(paths('echo x &> all.log; sudo tee /etc/hosts < hosts')).toEqual(['all.log', '/etc/hosts']);
  });

  it('is conservative: no expansions, devices, stderr, comparisons in quotes or reads', () => {
    expect(paths('echo "$HOME" > "$OUT"')).toEqual([]);
    expect(paths('ls *.ts > ~/files.txt')).toEqual([]);
    expect(paths('make 2> errors.log >/dev/null')).toEqual([]);
    expect(paths('echo "a > b" | grep ">" ; test 1 -gt 0')).toEqual([]);
    expect(paths('cat < input.txt | wc -l')).toEqual([]);
    expect(paths("sed -i 's/a/b/' app.py; cp a b; git commit -m 'x > y'")).toEqual([]);
    expect(paths('echo ok >&2')).toEqual([]);
  });

  it('reads a patch fed to apply_patch', () => {
    expect(shellWrites("apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: b.txt\n+bee\n*** End Patch\nEOF")).toEqual([{ path: 'b.txt', bytes: 4 }]);
  });
});
