import type { LogFields, Logger, LogLevel } from '../../shared/logger.js';
import type { Redactor } from '../../shared/redact.js';

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * The team server logs as a service does: one line a message on stderr (a supervisor or
 * `docker logs` keeps them), each through the redactor, so no URL's password and no key is ever
 * written.
 */
export class StderrLogger implements Logger {
  private readonly threshold: number;

  constructor(
    private readonly redactor: Redactor,
    level: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stderr.write(line),
  ) {
    this.threshold = LEVELS[level];
  }

  enabled(level: LogLevel): boolean {
    return LEVELS[level] <= this.threshold;
  }

  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }

  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }

  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }

  flush(): void {}

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const detail = fields && Object.keys(fields).length ? ` ${JSON.stringify(fields, (_, value: unknown) => (value instanceof Error ? value.message : value))}` : '';
    this.write(this.redactor.redact(`${new Date().toISOString()} ${level} ${message}${detail}`) + '\n');
  }
}
