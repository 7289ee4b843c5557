import { describe, expect, it } from 'vitest';
import { EXAMPLE_MESSAGES } from '../../shared/aider-prompts.js';
import { searchReplaceWrites, wholeFileWrites } from './aider-edit-blocks.js';

const bytes = (text: string): number => Buffer.byteLength(text);

describe("Aider's SEARCH/REPLACE blocks", () => {
  it("reads the `diff` format of Aider's own example replies: the path alone on the line before the fence, the REPLACE section's bytes", () => {
    const [, first, , second] = EXAMPLE_MESSAGES;
    expect(searchReplaceWrites(first!.content)).toEqual([
      { path: 'mathweb/flask/app.py', bytes: bytes('import math\nfrom flask import Flask') },
      { path: 'mathweb/flask/app.py', bytes: 0 },
      { path: 'mathweb/flask/app.py', bytes: bytes('    return str(math.factorial(n))') },
    ]);
    // An empty SEARCH makes a new file.
    expect(searchReplaceWrites(second!.content)).toEqual([
      { path: 'hello.py', bytes: bytes('def hello():\n    "print a greeting"\n\n    print("hello")') },
      { path: 'main.py', bytes: bytes('from hello import hello') },
    ]);
  });

  it('reads the `diff-fenced` format: the path as the first line inside the fence', () => {
    const reply = ['Here is the change:', '', '```', 'src/greet.py', '<<<<<<< SEARCH', "print('hi')", '=======', "print('hello')", '>>>>>>> REPLACE', '```', ''].join('\n');
    expect(searchReplaceWrites(reply)).toEqual([{ path: 'src/greet.py', bytes: bytes("print('hello')") }]);
  });

  it('takes a path in markup (`**path**`, `# path:`, backquotes), a fence that names the file, and CRLF line ends', () => {
    const block = (name: string, body: string): string => `${name}\n\`\`\`ts\n<<<<<<< SEARCH\nold\n=======\n${body}\n>>>>>>> REPLACE\n\`\`\`\n`;
    expect(searchReplaceWrites(block('**src/a.ts**', 'A') + block('# src/b.ts:', 'BB') + block('`src/c_d.ts`', 'CCC')).map((write) => [write.path, write.bytes])).toEqual([
      ['src/a.ts', 1],
      ['src/b.ts', 2],
      ['src/c_d.ts', 3],
    ]);
    expect(searchReplaceWrites('```src/e.ts\n<<<<<<< SEARCH\n=======\nnew\n>>>>>>> REPLACE\n```')).toEqual([{ path: 'src/e.ts', bytes: 3 }]);
    expect(searchReplaceWrites('app.py\r\n```python\r\n<<<<<<< SEARCH\r\nx = 1\r\n=======\r\nx = 2\r\n>>>>>>> REPLACE\r\n```\r\n')).toEqual([{ path: 'app.py', bytes: 5 }]);
  });

  it("gives a block with no path the previous block's file, as Aider does; a block cut off before its end is no edit", () => {
    const reply = 'app.py\n```python\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n```\n\n```python\n<<<<<<< SEARCH\nc\n=======\ndd\n>>>>>>> REPLACE\n```\n\nother.py\n```python\n<<<<<<< SEARCH\ne\n=======\nunfinished';
    expect(searchReplaceWrites(reply)).toEqual([
      { path: 'app.py', bytes: 1 },
      { path: 'app.py', bytes: 2 },
    ]);
  });

  it('finds nothing in a reply without blocks (a commit message, an answer to /ask)', () => {
    expect(searchReplaceWrites('feat: rename greet to hello')).toEqual([]);
    expect(searchReplaceWrites('You could replace the loop with a comprehension:\n```python\n[x for x in y]\n```')).toEqual([]);
  });
});

describe("Aider's whole-file listings", () => {
  it("reads the `whole` format of Aider's prompt: a path line, then a fence holding the whole file", () => {
    // aider/coders/wholefile_prompts.py's example reply.
    const reply = 'Ok, I will:\n\n1. Switch the greeting text from "Hello" to "Hey".\n\nshow_greeting.py\n```\nimport sys\n\ndef greeting(name):\n    print(f"Hey {name}")\n\nif __name__ == \'__main__\':\n    greeting(sys.argv[1])\n```\n';
    const file = 'import sys\n\ndef greeting(name):\n    print(f"Hey {name}")\n\nif __name__ == \'__main__\':\n    greeting(sys.argv[1])\n';
    expect(wholeFileWrites(reply)).toEqual([{ path: 'show_greeting.py', bytes: bytes(file) }]);
  });

  it('skips a block with no name or with prose before it, and keeps a listing cut off at the end', () => {
    expect(wholeFileWrites('```\nno name\n```\nHere is the code:\n```js\nx()\n```')).toEqual([]);
    expect(wholeFileWrites('src/a.js\n```js\nlet a = 1;\nlet b')).toEqual([{ path: 'src/a.js', bytes: bytes('let a = 1;\nlet b\n') }]);
  });
});
