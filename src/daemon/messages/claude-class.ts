import type { ClaudeClass, LodestarConfig } from '../../config/defaults.js';
import type { Task } from '../../router/classify-task.js';
import type { MessagesBody } from './validate-messages-request.js';

/** Past this many prompt tokens a request is "long context" (claude-code-router's threshold too). */
export const LONG_CONTEXT_TOKENS = 60_000;

/** The router's task for each class, when the class goes to a virtual model. */
export const CLASS_TASK: Readonly<Record<ClaudeClass, Task>> = {
  main: 'edit',
  background: 'summary',
  thinking: 'architect',
  longContext: 'long-context',
  subagent: 'edit',
};

/** The virtual model a class goes to when config names none and Anthropic can't serve the model asked for. */
export const CLASS_DEFAULT: Readonly<Record<ClaudeClass, string>> = {
  main: 'lodestar/auto',
  background: 'lodestar/cheap',
  thinking: 'lodestar/auto',
  longContext: 'lodestar/auto',
  subagent: 'lodestar/auto',
};

/**
 * What kind of Claude Code request this is: Haiku-class background work (titles, topic
 * detection, quota checks: Claude Code sends those to its small fast model), a long context, a
 * thinking request, a subagent's (its system prompt is an agent's, not Claude Code's own), or
 * the main loop.
 */
export function claudeClass(body: MessagesBody, promptTokens: number): { class: ClaudeClass; reason: string } {
  if (/haiku/i.test(body.model)) return { class: 'background', reason: `${body.model} is Claude Code's small fast model` };
  if (promptTokens > LONG_CONTEXT_TOKENS) return { class: 'longContext', reason: `~${promptTokens} prompt tokens, over ${LONG_CONTEXT_TOKENS}` };
  if (body.thinking && (body.thinking.type === 'enabled' || body.thinking.type === 'adaptive')) return { class: 'thinking', reason: 'extended thinking is on' };
  if (isSubagent(body.system)) return { class: 'subagent', reason: "the system prompt is a subagent's" };
  return { class: 'main', reason: "Claude Code's main loop" };
}

/** Claude Code's own system prompt says "You are Claude Code"; a subagent's (Task, Explore) says it is an agent for it. */
function isSubagent(system: unknown): boolean {
  const text = typeof system === 'string' ? system : Array.isArray(system) ? system.map((block) => (block as { text?: unknown }).text).filter((part) => typeof part === 'string').join('\n') : '';
  return /\bagent for Claude Code\b/i.test(text);
}

/**
 * Claude Code's /model lists only ids that start with "claude" or "anthropic": the virtual
 * models are offered to it as claude-lodestar-auto, -local, -cheap and -strong.
 */
export const VIRTUAL_ALIASES: Readonly<Record<string, string>> = {
  'claude-lodestar-auto': 'lodestar/auto',
  'claude-lodestar-local': 'lodestar/local',
  'claude-lodestar-cheap': 'lodestar/cheap',
  'claude-lodestar-strong': 'lodestar/strong',
};

/**
 * The model a class goes to: a Lodestar name the client chose (a virtual model, its
 * claude-lodestar-* alias, or "<provider>/<model>"); else the project's `claude` setting, then
 * the global one; else the Claude model asked for, at Anthropic, when Anthropic is configured
 * (pass-through); else the class's virtual model, for the router to pick.
 */
export function classTarget(cls: ClaudeClass, requested: string, config: LodestarConfig, projectClaude: Partial<Record<string, string>> | undefined, anthropicAvailable: boolean): { model: string; why: string } {
  const alias = VIRTUAL_ALIASES[requested];
  if (alias) return { model: alias, why: `${requested}, the name Claude Code's /model lists for it` };
  if (requested.includes('/')) return { model: requested, why: 'the model the client named' };
  const own = projectClaude?.[cls];
  if (own) return { model: own, why: `the project's claude.${cls}` };
  const global = config.claude[cls];
  if (global) return { model: global, why: `claude.${cls} in config.json` };
  if (anthropicAvailable) return { model: `anthropic/${requested}`, why: 'the Claude model asked for, at Anthropic' };
  return { model: CLASS_DEFAULT[cls], why: `Anthropic is not configured: ${CLASS_DEFAULT[cls]} picks for the ${cls} class` };
}
