import type { IncomingMessage } from 'node:http';
import { HttpError } from '../http-error.js';

/** A project name or a session id, in a header or the path. */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * An x-lodestar-project or x-lodestar-session header: absent or empty is undefined; anything
 * but 1-64 letters, digits, ".", "_" or "-" (starting with a letter or digit) is a 400.
 */
export function identifierHeader(request: IncomingMessage, kind: 'project' | 'session'): string | undefined {
  const name = `x-lodestar-${kind}`;
  const value = request.headers[name];
  const identifier = Array.isArray(value) ? value[0] : value;
  if (identifier === undefined || identifier === '') return undefined;
  if (!IDENTIFIER.test(identifier)) {
    throw new HttpError(400, `The ${name} header ${JSON.stringify(identifier.slice(0, 80))} is not a valid ${kind === 'project' ? 'project name' : 'session id'}: use 1-64 letters, digits, ".", "_" or "-"`, {
      param: name,
    });
  }
  return identifier;
}

const TOOLS = ['aider', 'claude', 'other'] as const;

/**
 * The coding tool behind a request: its x-lodestar-tool header (`lodestar aider` and
 * `lodestar claude` have their tool send it), else Claude Code by its user agent, else other.
 */
export function toolOf(request: IncomingMessage): 'aider' | 'claude' | 'other' {
  const value = request.headers['x-lodestar-tool'];
  const tool = Array.isArray(value) ? value[0] : value;
  if (tool !== undefined && tool !== '') {
    if (!(TOOLS as readonly string[]).includes(tool)) throw new HttpError(400, `The x-lodestar-tool header ${JSON.stringify(tool.slice(0, 40))} is not a tool: use aider, claude or other`, { param: 'x-lodestar-tool' });
    return tool as (typeof TOOLS)[number];
  }
  return request.headers['user-agent']?.startsWith('claude-cli') ? 'claude' : 'other';
}
