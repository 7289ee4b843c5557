/**
 * Errors that end a CLI command carry the exit status INTERFACE.md promises:
 * 1 for a failure, 2 for bad usage or bad configuration. Only the CLI's entry point
 * turns them into an exit status; everything below just throws.
 */
export class LodestarError extends Error {
  readonly exitCode: number;
  /** A second line telling the user what to do about it, printed after the message. */
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LodestarError';
    this.exitCode = options.exitCode ?? 1;
    this.hint = options.hint;
  }
}

/** The command line itself is wrong: an unknown flag, a value that can't be parsed. Exit 2. */
export class UsageError extends LodestarError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 2, hint });
    this.name = 'UsageError';
  }
}

/** A configuration file or variable is wrong. Names the file (or variable) and the key. Exit 2. */
export class ConfigError extends LodestarError {
  readonly source: string;
  readonly key: string | undefined;

  constructor(source: string, key: string | undefined, problem: string) {
    super(key ? `invalid config in ${source}: "${key}" ${problem}` : `invalid config in ${source}: ${problem}`, {
      exitCode: 2,
    });
    this.name = 'ConfigError';
    this.source = source;
    this.key = key;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Node's system errors carry a string code (ENOENT, EADDRINUSE, ...). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
