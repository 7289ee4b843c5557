import { closeSync, fstatSync, openSync, renameSync, writeSync, existsSync } from 'node:fs';
import { ensurePrivateDir } from './files.js';
import type { Redactor } from './redact.js';
import { dirname } from 'node:path';

/** How much the daemon logs (config key logLevel). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  enabled(level: LogLevel): boolean;
  /** Writes out whatever is buffered; call before exiting. */
  flush(): void;
}

export interface FileLoggerOptions {
  path: string;
  level: LogLevel;
  maxBytes: number;
  files: number;
  redactor: Redactor;
  /** Also hand each line to this (the foreground daemon prints to stderr). */
  mirror?: (line: string, level: LogLevel) => void;
}

/**
 * JSON lines in $LODESTAR_HOME/logs/daemon.log, rotated to daemon.log.1 .. .N at a size bound,
 * every line passed through the redactor. Lines are buffered and written once per event-loop
 * turn, so a request never waits on the disk.
 */
export class FileLogger implements Logger {
  private readonly options: FileLoggerOptions;
  private readonly threshold: number;
  private descriptor: number;
  private size: number;
  private buffer: string[] = [];
  private scheduled = false;

  constructor(options: FileLoggerOptions) {
    this.options = options;
    this.threshold = LEVELS[options.level];
    ensurePrivateDir(dirname(options.path));
    this.descriptor = openSync(options.path, 'a', 0o600);
    this.size = fstatSync(this.descriptor).size;
  }

  enabled(level: LogLevel): boolean {
    return LEVELS[level] <= this.threshold;
  }

  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVELS[level] > this.threshold) return;
    const record: Record<string, unknown> = { time: new Date().toISOString(), level, message };
    // The line's own keys come first and win over fields of the same name.
    for (const key in fields) if (!(key in record)) record[key] = fields[key];
    const line = this.options.redactor.redact(JSON.stringify(record, jsonSafe));
    this.options.mirror?.(line, level);
    this.buffer.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (!this.buffer.length) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    try {
      if (this.size + text.length > this.options.maxBytes) this.rotate();
      writeSync(this.descriptor, text);
      this.size += Buffer.byteLength(text);
    } catch {
      // A full disk must not take the daemon down; the lines are lost, the requests are not.
    }
  }

  close(): void {
    this.flush();
    closeSync(this.descriptor);
  }

  private rotate(): void {
    closeSync(this.descriptor);
    const { path, files } = this.options;
    for (let index = files - 1; index >= 1; index--) {
      const from = index === 1 ? path : `${path}.${index - 1}`;
      if (existsSync(from)) renameSync(from, `${path}.${index}`);
    }
    if (files <= 1) renameSync(path, `${path}.old`);
    this.descriptor = openSync(path, 'a', 0o600);
    this.size = 0;
  }
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** For code paths that run before a log file exists (and for tests). */
export const silentLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  enabled: () => false,
  flush() {},
};
