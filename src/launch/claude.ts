import { fileURLToPath } from 'node:url';
import { findOnPath } from '../shared/which.js';
import { runTool } from './run-tool.js';

/** Claude Code's documented install (docs.claude.com/en/docs/claude-code/setup). */
export const CLAUDE_INSTALL = 'npm install -g @anthropic-ai/claude-code';

/** The Claude Code to run: --claude-bin, else `claude` on PATH; undefined when there is none. */
export function findClaude(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return findOnPath(explicit ?? 'claude', env);
}

/** Settings that would send Claude Code around the router (to Bedrock, Vertex, Foundry): unset for it. */
const BYPASSES = ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY', 'ANTHROPIC_BEDROCK_BASE_URL', 'ANTHROPIC_VERTEX_BASE_URL'];

/**
 * The environment Claude Code gets: the daemon as its Anthropic endpoint and the daemon's token
 * as its auth token (sent as Authorization: Bearer); ANTHROPIC_API_KEY cleared, so that Claude
 * Code shows no auth conflict and no key of the user's reaches the daemon's port; loopback in
 * NO_PROXY, so that a proxy of the user's never sees the token; a Bedrock or Vertex setting
 * cleared, so that Claude Code can't go around the router. The token is never on a command line.
 */
export function claudeEnvironment(env: NodeJS.ProcessEnv, baseUrl: string, token: string): NodeJS.ProcessEnv {
  const next: NodeJS.ProcessEnv = { ...env, ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_AUTH_TOKEN: token };
  delete next.ANTHROPIC_API_KEY;
  for (const name of BYPASSES) delete next[name];
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const host of ['127.0.0.1', 'localhost', '::1']) if (!noProxy.includes(host)) noProxy.push(host);
  next.NO_PROXY = noProxy.join(',');
  next.no_proxy = next.NO_PROXY;
  // Every request says it is Claude Code's (for `lodestar report --by tool`), beside the user's own headers.
  const headers = (env.ANTHROPIC_CUSTOM_HEADERS ?? '').split('\n').filter((line) => line.trim() && !/^x-lodestar-tool\s*:/i.test(line));
  next.ANTHROPIC_CUSTOM_HEADERS = [...headers, 'x-lodestar-tool: claude'].join('\n');
  return next;
}

/**
 * Ours first, the user's after: the status line (Lodestar's real spend for this session) passed
 * with --settings, which Claude Code merges over the user's own settings without touching their
 * file; a --settings of the user's comes later and wins.
 */
export function claudeArguments(statusLine: string, userArgs: readonly string[]): string[] {
  return ['--settings', JSON.stringify({ statusLine: { type: 'command', command: statusLine, padding: 0 } }), ...userArgs];
}

/**
 * The command Claude Code runs for its status line: this Lodestar, on this Node (the one running
 * now, which is new enough), for this session, reading the ledger from where the session began.
 */
export function statusLineCommand(session: string, since: string): string {
  const bin = fileURLToPath(new URL('../../../bin/lodestar', import.meta.url));
  return [process.execPath, bin, 'statusline', '--session', session, '--since', since].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs Claude Code in this terminal; its exit status (see runTool). */
export function runClaude(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return runTool({ name: 'Claude Code', install: CLAUDE_INSTALL }, bin, args, env, cwd);
}
