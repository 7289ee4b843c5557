/**
 * Where a value ends in a JSON text, as "line L column C": serde_json (the deserializer behind
 * DeepSeek's API) ends its messages with the position it had reached when it gave up, which for
 * an unknown enum variant is just after the offending string. Columns count bytes, as serde's do.
 * The text is assumed valid JSON (the caller parsed it already).
 */
export type JsonPath = ReadonlyArray<string | number>;

export function positionAfter(text: string, path: JsonPath): { line: number; column: number } | undefined {
  const end = new PathScanner(text, path).find();
  if (end === undefined) return undefined;
  const before = text.slice(0, end);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: Buffer.byteLength(before.slice(lineStart)) };
}

class PathScanner {
  private position = 0;
  private found: number | undefined;

  constructor(
    private readonly text: string,
    private readonly target: JsonPath,
  ) {}

  find(): number | undefined {
    this.value([]);
    return this.found;
  }

  private value(path: Array<string | number>): void {
    this.skipSpace();
    const char = this.text[this.position];
    if (char === '{') this.object(path);
    else if (char === '[') this.array(path);
    else if (char === '"') this.string();
    else this.scalar();
    if (this.found === undefined && this.matches(path)) this.found = this.position;
  }

  private matches(path: Array<string | number>): boolean {
    return path.length === this.target.length && path.every((step, index) => step === this.target[index]);
  }

  private object(path: Array<string | number>): void {
    this.position++;
    this.skipSpace();
    if (this.text[this.position] === '}') {
      this.position++;
      return;
    }
    for (;;) {
      this.skipSpace();
      const keyStart = this.position;
      this.string();
      const key = JSON.parse(this.text.slice(keyStart, this.position)) as string;
      this.skipSpace();
      this.position++; // the colon
      this.value([...path, key]);
      this.skipSpace();
      if (this.text[this.position++] === '}') return;
    }
  }

  private array(path: Array<string | number>): void {
    this.position++;
    this.skipSpace();
    if (this.text[this.position] === ']') {
      this.position++;
      return;
    }
    for (let index = 0; ; index++) {
      this.value([...path, index]);
      this.skipSpace();
      if (this.text[this.position++] === ']') return;
    }
  }

  private string(): void {
    this.position++;
    while (this.position < this.text.length) {
      const char = this.text[this.position];
      if (char === '\\') this.position += 2;
      else if (char === '"') {
        this.position++;
        return;
      } else this.position++;
    }
  }

  private scalar(): void {
    while (this.position < this.text.length && !',}] \t\r\n'.includes(this.text[this.position] as string)) this.position++;
  }

  private skipSpace(): void {
    while (this.position < this.text.length && ' \t\r\n'.includes(this.text[this.position] as string)) this.position++;
  }
}
