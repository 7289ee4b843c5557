import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

export interface BodyLimits {
  maxBytes: number;
  /** The longest a body may go without a byte before it is given up on (408). */
  idleMs: number;
}

/** Deeper than any real request nests (a tool's JSON Schema runs to a dozen levels), and far below what JSON.stringify survives. */
export const MAX_NESTING = 100;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The request body as JSON, or an HttpError saying what is wrong with it: 413 as soon as it is
 * known to be over the limit (by its Content-Length, or while it arrives); 408 when it stalls;
 * 400 when it is cut off, not UTF-8, empty, not JSON, or nested deeper than MAX_NESTING (which
 * would overflow the stack of whatever serializes it later).
 */
export function readJsonBody(request: IncomingMessage, limits: BodyLimits): Promise<unknown>;
/** The same, with the body's text as it came (a pass-through sends it on byte for byte). */
export function readJsonBody(request: IncomingMessage, limits: BodyLimits, withText: true): Promise<{ value: unknown; text: string }>;
export function readJsonBody(request: IncomingMessage, limits: BodyLimits, withText = false): Promise<unknown> {
  const { maxBytes } = limits;
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) {
    request.resume();
    return Promise.reject(tooLarge(declared, maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: HttpError | undefined, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      chunks.length = 0;
      if (error) reject(error);
      else resolve(value);
    };
    let timer = setTimeout(stalled, limits.idleMs);
    function stalled(): void {
      settle(
        new HttpError(408, `The request body stalled: no byte for ${limits.idleMs / 1000} s after ${size} bytes (config limits.bodyIdleMs)`, {
          code: 'request_timeout',
          headers: { connection: 'close' },
        }),
      );
    }
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > maxBytes) {
        settle(tooLarge(size, maxBytes));
        return;
      }
      chunks.push(chunk);
      timer.refresh();
    });
    request.on('end', () => {
      if (settled) return;
      const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        settle(new HttpError(400, `The request body is not valid UTF-8 (byte ${firstBadByte(bytes)} of ${bytes.length})`, { code: 'invalid_json' }));
        return;
      }
      if (!text.trim()) {
        settle(new HttpError(400, 'The request body is empty: send a JSON Chat Completions request', { code: 'invalid_json' }));
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        settle(new HttpError(400, `The request body is not valid JSON (${detail})`, { code: 'invalid_json' }));
        return;
      }
      if (nestedBeyond(value, MAX_NESTING)) {
        settle(new HttpError(400, `The request body nests arrays or objects more than ${MAX_NESTING} levels deep`, { code: 'invalid_json' }));
        return;
      }
      settle(undefined, withText ? { value, text } : value);
    });
    // A client that hangs up mid-body gets no answer, but this is its doing, not a daemon failure.
    request.on('aborted', () => settle(new HttpError(400, `The request body was cut off after ${size} bytes: the client closed the connection`, { code: 'incomplete_body' })));
    request.on('error', () => settle(new HttpError(400, `The request body was cut off after ${size} bytes`, { code: 'incomplete_body' })));
  });
}

function tooLarge(size: number, maxBytes: number): HttpError {
  return new HttpError(413, `The request body is ${size} bytes, more than the limit of ${maxBytes} (config limits.maxBodyBytes)`, {
    code: 'request_too_large',
    headers: { connection: 'close' },
  });
}

/** Whether any array or object in the value sits more than `limit` levels down (an explicit stack, so no recursion to overflow). */
export function nestedBeyond(value: unknown, limit: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  // Two parallel stacks, so that a walk over every request's body allocates no object per node.
  const nodes: object[] = [value];
  const depths: number[] = [1];
  while (nodes.length) {
    const node = nodes.pop() as object;
    const depth = depths.pop() as number;
    if (depth > limit) return true;
    const children: readonly unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (let index = 0; index < children.length; index++) {
      const child = children[index];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/** Where a body stops being UTF-8 (1-based), for the message; only run on a body that failed to decode. */
function firstBadByte(bytes: Buffer): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead >= 0xf0 && lead < 0xf5 ? 4 : 0;
    if (length === 0) return index + 1;
    for (let next = 1; next < length; next++) {
      const byte = bytes[index + next];
      if (byte === undefined || (byte & 0xc0) !== 0x80) return index + next + 1;
    }
    // Overlong three-byte forms and surrogates are not UTF-8 either.
    const text = bytes.subarray(index, index + length);
    try {
      utf8.decode(text);
    } catch {
      return index + 1;
    }
    index += length;
  }
  return bytes.length;
}
