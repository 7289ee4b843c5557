import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../shared/http-error.js';
import { isTask, TASKS, type Task } from '../../router/classify-task.js';
import { isToolName, TOOL_NAMES, toolFromUserAgent, type ToolName } from '../../shared/tools.js';

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

/**
 * The coding tool behind a request: its x-lodestar-tool header (the launchers and `lodestar env`
 * have their tool send it), else the agent its user agent names, else other.
 */
export function toolOf(request: IncomingMessage): ToolName {
  const value = request.headers['x-lodestar-tool'];
  const tool = Array.isArray(value) ? value[0] : value;
  if (tool !== undefined && tool !== '') {
    if (!isToolName(tool)) throw new HttpError(400, `The x-lodestar-tool header ${JSON.stringify(tool.slice(0, 40))} is not a tool: use one of ${TOOL_NAMES.join(', ')}`, { param: 'x-lodestar-tool' });
    return tool;
  }
  return toolFromUserAgent(request.headers['user-agent']);
}

/**
 * The session a coding agent names on its own, where it is a plain identifier: opencode's
 * x-session-id ("ses_..."), Codex's session-id (its thread's id). Lodestar's own launchers put
 * the session in the path instead.
 */
export function agentSession(request: IncomingMessage): string | undefined {
  for (const name of ['x-session-id', 'session-id']) {
    const value = request.headers[name];
    const session = Array.isArray(value) ? value[0] : value;
    if (session && IDENTIFIER.test(session)) return session;
  }
  return undefined;
}

/** An x-lodestar-task header: absent or empty is undefined; a word that is no task is a 400 naming the tasks. */
export function taskHeader(request: IncomingMessage): Task | undefined {
  const value = request.headers['x-lodestar-task'];
  const task = Array.isArray(value) ? value[0] : value;
  if (task === undefined || task === '') return undefined;
  if (!isTask(task)) {
    throw new HttpError(400, `The x-lodestar-task header ${JSON.stringify(task.slice(0, 40))} is not a task: use one of ${TASKS.join(', ')}`, { param: 'x-lodestar-task' });
  }
  return task;
}
