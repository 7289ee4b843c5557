import type { ClaudeClass, LodestarConfig } from '../../config/defaults.js';
import type { Task } from '../../router/classify-task.js';
import type { MessagesBody } from './validate-messages-request.js';

/** Past this many prompt tokens a request is "long context" (claude-code-router's threshold too). */
export const LONG_CONTEXT_TOKENS = 60_000;

/** The router's task for each class, when the class goes to a virtual model. */
export const CLASS_TASK: Readonly<Record<ClaudeClass, Task>> = {
  main: 'agent',
  background: 'summary',
  thinking: 'agent',
  longContext: 'long-context',
  subagent: 'agent',
};

/**
 * The virtual model a class goes to when config names none and Anthropic can't serve the model
 * asked for (or, for background work, when what was asked for is not a small model): the
 * router's cheapest for background work, its strongest when the user asked for more thinking.
 */
export const CLASS_DEFAULT: Readonly<Record<ClaudeClass, string>> = {
  main: 'lodestar/auto',
  background: 'lodestar/cheap',
  thinking: 'lodestar/strong',
  longContext: 'lodestar/auto',
  subagent: 'lodestar/auto',
};

/** What the classes read of a request besides its body: its headers. */
export interface ClaudeHeaders {
  /**
   * x-claude-code-request-class, which Claude Code sends with CLAUDE_CODE_GATEWAY_HINT_HEADERS=1.
   * `lodestar claude` does not set it: interactive Claude Code asks the user to allow it (and
   * exits on a no), so the body's own signs decide unless the user opts in.
   */
  requestClass?: string | undefined;
  /** x-claude-code-agent-id: a subagent's, sent with or without hints. */
  agentId?: string | undefined;
}

/**
 * System prompts of Claude Code's background work, by what it is rather than the model it names
 * (since 2.1 it names the main model for it): session titles, topic detection, conversation and
 * away summaries, prompt suggestions. Observed on 2.1.337 (test/fixtures/claude/README.md).
 */
const BACKGROUND_PROMPT = /You are naming a coding session|Analyze if this message indicates a new conversation topic|Summarize (?:this|the) (?:coding )?(?:conversation|session)|You are a title generator|Generate a (?:brief|concise|short) title/i;

/** The opening of /compact's request (its last user message): a summary of the whole session. */
const COMPACTION = /^CRITICAL: Respond with TEXT ONLY\. Do NOT call any tools\./;

/** Efforts that ask for more than Claude Code's default (medium). */
const MORE_EFFORT = new Set(['high', 'xhigh', 'max']);

/**
 * What kind of Claude Code request this is, from what today's Claude Code (2.1.337) sends:
 * - background: titles, topic detection, summaries and /compact, told by their prompts (or by
 *   the gateway hint header: auxiliary, compaction), or a request for a Haiku model; a request
 *   with no tools that asks for a structured output is one too (the title's shape);
 * - longContext: over 60K prompt tokens;
 * - thinking: the user asked for more: thinking with a budget (`enabled`), or a high effort;
 *   adaptive thinking at medium effort is on every request and means nothing;
 * - subagent: x-claude-code-agent-id, the hint header, `cc_is_subagent=true` in the billing
 *   block, or a subagent's own prompt ("You are an agent for Claude Code", the Explore agent's);
 * - main: the rest, the main loop; interactive auto mode's security classifier too ("You are a
 *   security monitor", no tools): it decides whether a risky tool call runs, which is no work for
 *   the cheapest model.
 */
export function claudeClass(body: MessagesBody, promptTokens: number, headers: ClaudeHeaders = {}): { class: ClaudeClass; reason: string } {
  const system = systemText(body.system);
  const hint = headers.requestClass;
  if (hint === 'auxiliary' || hint === 'compaction') return { class: 'background', reason: `Claude Code says it is ${hint} work (x-claude-code-request-class)` };
  if (/haiku/i.test(body.model)) return { class: 'background', reason: `${body.model} is Claude Code's small fast model` };
  if (BACKGROUND_PROMPT.test(system)) return { class: 'background', reason: 'a background prompt (a title, a topic, a summary)' };
  if (COMPACTION.test(lastUserText(body))) return { class: 'background', reason: "a /compact summary of the session" };
  const tools = body.tools?.length ?? 0;
  if (tools === 0 && (body.output_config as { format?: unknown } | undefined)?.format) return { class: 'background', reason: 'no tools, and a structured output asked for' };
  if (promptTokens > LONG_CONTEXT_TOKENS) return { class: 'longContext', reason: `~${promptTokens} prompt tokens, over ${LONG_CONTEXT_TOKENS}` };
  const effort = (body.output_config as { effort?: unknown } | undefined)?.effort;
  if (body.thinking?.type === 'enabled') return { class: 'thinking', reason: `thinking with a budget${body.thinking.budget_tokens ? ` of ${body.thinking.budget_tokens} tokens` : ''}` };
  if (typeof effort === 'string' && MORE_EFFORT.has(effort)) return { class: 'thinking', reason: `effort ${effort}` };
  if (hint === 'subagent' || headers.agentId || isSubagent(system)) return { class: 'subagent', reason: headers.agentId ? 'a subagent (x-claude-code-agent-id)' : "a subagent's request" };
  return { class: 'main', reason: "Claude Code's main loop" };
}

/** The system prompt's text, blocks joined. */
function systemText(system: unknown): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system.map((block) => (block as { text?: unknown }).text).filter((part): part is string => typeof part === 'string').join('\n');
}

function lastUserText(body: MessagesBody): string {
  const last = body.messages.at(-1);
  if (!last || last.role !== 'user') return '';
  if (typeof last.content === 'string') return last.content;
  const first = Array.isArray(last.content) ? (last.content as Array<{ type?: string; text?: unknown }>).find((block) => block.type === 'text') : undefined;
  return typeof first?.text === 'string' ? first.text : '';
}

/** A subagent's system prompt: the billing block's flag, or an agent's own prompt for Claude Code. */
function isSubagent(system: string): boolean {
  return /\bcc_is_subagent=true\b|\bagent for Claude Code\b|specialist for Claude Code\b/i.test(system);
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
 * (pass-through; for background work only a small model); else the class's virtual model, for
 * the router to pick.
 */
export function classTarget(cls: ClaudeClass, requested: string, config: LodestarConfig, projectClaude: Partial<Record<string, string>> | undefined, anthropicAvailable: boolean): { model: string; why: string } {
  const alias = VIRTUAL_ALIASES[requested];
  if (alias) return { model: alias, why: `${requested}, the name Claude Code's /model lists for it` };
  if (requested.includes('/')) return { model: requested, why: 'the model the client named' };
  const own = projectClaude?.[cls];
  if (own) return { model: own, why: `the project's claude.${cls}` };
  const global = config.claude[cls];
  if (global) return { model: global, why: `claude.${cls} in config.json` };
  // Background work on the main model (what Claude Code does since 2.1) would cost main-model prices: the router's cheapest takes it, unless a small model was asked for.
  if (anthropicAvailable && (cls !== 'background' || /haiku/i.test(requested))) return { model: `anthropic/${requested}`, why: 'the Claude model asked for, at Anthropic' };
  return { model: CLASS_DEFAULT[cls], why: `Anthropic is not configured: ${CLASS_DEFAULT[cls]} picks for the ${cls} class` };
}
