/**
 * Ollama (a Go server) answers a malformed JSON body with the text of Go's encoding/json error
 * (ollama-gpu.md section 4: "invalid character 'x' looking for beginning of value"). This scanner
 * finds the first syntax error the way Go's scanner words it, for the common cases; it is not a
 * complete re-implementation (string escapes and number grammar are checked only loosely).
 */
export function goJsonSyntaxError(text: string): string | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.skipSpace();
    scanner.value('looking for beginning of value');
    scanner.skipSpace();
    if (!scanner.atEnd()) scanner.fail('after top-level value');
    return undefined;
  } catch (error) {
    if (error instanceof GoSyntaxError) return error.message;
    throw error;
  }
}

class GoSyntaxError extends Error {}

class Scanner {
  private position = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.position >= this.text.length;
  }

  skipSpace(): void {
    while (!this.atEnd() && ' \t\r\n'.includes(this.text[this.position] as string)) this.position++;
  }

  fail(context: string): never {
    if (this.atEnd()) throw new GoSyntaxError('unexpected EOF');
    throw new GoSyntaxError(`invalid character ${quoteChar(this.text[this.position] as string)} ${context}`);
  }

  value(context: string): void {
    if (this.atEnd()) this.fail(context);
    const char = this.text[this.position] as string;
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    if (char === '-' || (char >= '0' && char <= '9')) return this.number();
    for (const literal of ['true', 'false', 'null']) if (char === literal[0]) return this.literal(literal);
    this.fail(context);
  }

  private object(): void {
    this.position++;
    this.skipSpace();
    if (this.text[this.position] === '}') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.position] !== '"') this.fail('looking for beginning of object key string');
      this.string();
      this.skipSpace();
      if (this.text[this.position] !== ':') this.fail('after object key');
      this.position++;
      this.skipSpace();
      this.value('looking for beginning of value');
      this.skipSpace();
      if (this.text[this.position] === ',') {
        this.position++;
        continue;
      }
      if (this.text[this.position] === '}') {
        this.position++;
        return;
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): void {
    this.position++;
    this.skipSpace();
    if (this.text[this.position] === ']') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipSpace();
      this.value('looking for beginning of value');
      this.skipSpace();
      if (this.text[this.position] === ',') {
        this.position++;
        continue;
      }
      if (this.text[this.position] === ']') {
        this.position++;
        return;
      }
      this.fail('after array element');
    }
  }

  private string(): void {
    this.position++;
    while (!this.atEnd()) {
      const char = this.text[this.position] as string;
      if (char === '\\') this.position += 2;
      else if (char === '"') {
        this.position++;
        return;
      } else if (char < ' ') this.fail('in string literal');
      else this.position++;
    }
    this.fail('in string literal');
  }

  private number(): void {
    if (this.text[this.position] === '-') this.position++;
    if (!/[0-9]/.test(this.text[this.position] ?? '')) this.fail('in numeric literal');
    while (/[0-9.eE+-]/.test(this.text[this.position] ?? '')) this.position++;
  }

  private literal(word: string): void {
    for (let index = 0; index < word.length; index++, this.position++) {
      if (this.text[this.position] !== word[index]) this.fail(`in literal ${word} (expecting ${quoteChar(word[index] as string)})`);
    }
  }
}

function quoteChar(char: string): string {
  if (char === "'") return "'\\''";
  if (char === '"') return "'\"'";
  if (char < ' ') return `'\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}'`;
  return `'${char}'`;
}

/** Go's name for a JSON value's type in "cannot unmarshal <type> into ..." errors. */
export function goJsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}
