import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * The request body, refused with 413 as soon as it is known to be over the limit (by its
 * Content-Length, or while it arrives), and with 400 when it is not JSON.
 */
export function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) {
    request.resume();
    return Promise.reject(tooLarge(declared, maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(tooLarge(size, maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) {
        reject(new HttpError(400, 'The request body is empty: send a JSON Chat Completions request', { code: 'invalid_json' }));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        reject(new HttpError(400, `The request body is not valid JSON (${detail})`, { code: 'invalid_json' }));
      }
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
  });
}

function tooLarge(size: number, maxBytes: number): HttpError {
  return new HttpError(413, `The request body is ${size} bytes, more than the limit of ${maxBytes} (config limits.maxBodyBytes)`, {
    code: 'request_too_large',
    headers: { connection: 'close' },
  });
}
