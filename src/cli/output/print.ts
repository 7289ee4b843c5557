/**
 * The only writers to stdout and stderr in the CLI. Commands call these; nothing below the
 * CLI prints. With --json, stdout carries the JSON document alone.
 */
export interface Output {
  line(text?: string): void;
  json(value: unknown): void;
  /** Progress and notes: stderr, so they never mix into data on stdout. */
  note(text: string): void;
  error(message: string, hint?: string): void;
  /** Whether stdout is a terminal (colour, widths). */
  isTTY: boolean;
  columns: number;
}

export function createOutput(stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): Output {
  return {
    line(text = '') {
      stdout.write(`${text}\n`);
    },
    json(value) {
      stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
    note(text) {
      stderr.write(`${text}\n`);
    },
    error(message, hint) {
      stderr.write(`lodestar: ${message}\n${hint ? `${hint}\n` : ''}`);
    },
    isTTY: Boolean(stdout.isTTY),
    columns: stdout.columns || 100,
  };
}
