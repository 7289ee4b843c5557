/**
 * Parses JSON that may carry // and /* *\/ comments and trailing commas, so that a
 * .lodestarrc can explain itself the way .lodestarrc.example does. Comments and trailing
 * commas are blanked out (not removed), so a syntax error still points at the right line.
 */
export class JsoncSyntaxError extends Error {
  readonly line: number;
  readonly column: number;
  constructor(detail: string, line: number, column: number) {
    super(`not valid JSON at line ${line}, column ${column}: ${detail}`);
    this.line = line;
    this.column = column;
  }
}

export function parseJsonc(text: string): unknown {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const blanked = blankCommentsAndTrailingCommas(source);
  try {
    return JSON.parse(blanked);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(detail);
    const offset = position ? Number(position[1]) : source.length;
    const { line, column } = lineAndColumn(source, offset);
    throw new JsoncSyntaxError(detail.replace(/\s*in JSON at position \d+.*$/s, '').trim(), line, column);
  }
}

function blankCommentsAndTrailingCommas(source: string): string {
  const out = source.split('');
  let index = 0;
  let lastCommaOutsideString = -1;
  while (index < source.length) {
    const char = source[index];
    if (char === '"') {
      index++;
      while (index < source.length && source[index] !== '"') index += source[index] === '\\' ? 2 : 1;
      index++;
      lastCommaOutsideString = -1;
      continue;
    }
    if (char === '/' && source[index + 1] === '/') {
      while (index < source.length && source[index] !== '\n') out[index++] = ' ';
      continue;
    }
    if (char === '/' && source[index + 1] === '*') {
      while (index < source.length && !(source[index] === '*' && source[index + 1] === '/')) {
        if (source[index] !== '\n') out[index] = ' ';
        index++;
      }
      if (index < source.length) out[index] = out[index + 1] = ' ';
      index += 2;
      continue;
    }
    if (char === ',') lastCommaOutsideString = index;
    else if ((char === '}' || char === ']') && lastCommaOutsideString >= 0) {
      out[lastCommaOutsideString] = ' ';
      lastCommaOutsideString = -1;
    } else if (char !== undefined && !/\s/.test(char)) lastCommaOutsideString = -1;
    index++;
  }
  return out.join('');
}

function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < source.length; index++) {
    if (source[index] === '\n') {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
