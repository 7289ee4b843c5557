import { contentText, type ChatCompletionRequest } from '../providers/spec/chat-request.js';

/**
 * The task classes. `complete` is an editor's fill-in-the-middle completion (POST /v1/completions
 * with a suffix): it comes only from that endpoint, never from classifying a chat.
 */
export const TASKS = ['commit', 'summary', 'edit', 'architect', 'chat', 'long-context', 'agent', 'complete'] as const;
export type Task = (typeof TASKS)[number];

export interface TaskDecision {
  task: Task;
  /** Why: which signal decided it. */
  reason: string;
}

/** Prompts count as long context from this many (estimated) tokens on. */
export const LONG_CONTEXT_TOKENS = 64_000;

/**
 * Aider's fixed system prompts (aider/prompts.py and aider/coders/*_prompts.py at 5dc9490),
 * by their opening words. Commit messages and history summaries are non-streamed weak-model
 * calls; architect plans and editor edits are the two halves of architect mode.
 */
const SIGNATURES: ReadonlyArray<{ prefix: string; task: Task; reason: string }> = [
  { prefix: 'You are an expert software engineer that generates concise, one-line Git commit messages', task: 'commit', reason: "Aider's commit-message prompt" },
  { prefix: '*Briefly* summarize this partial conversation about programming.', task: 'summary', reason: "Aider's history-summary prompt" },
  { prefix: 'Act as an expert architect engineer', task: 'architect', reason: "Aider's architect prompt" },
  { prefix: 'Act as an expert software developer who edits source code.', task: 'edit', reason: "Aider's editor prompt (architect mode, step 2)" },
  { prefix: 'Act as an expert software developer.', task: 'edit', reason: "Aider's edit prompt" },
  { prefix: 'Act as an expert code analyst.', task: 'chat', reason: "Aider's ask prompt" },
];

/**
 * The task class of a request: the x-lodestar-task header if given, else Aider's system
 * prompt, else an agent's loop (tools offered, tool results or an agent's prompt), else its
 * size (long context), else plain chat. Pure and cheap: it looks at the first
 * system message and a character count, never tokenizes.
 */
export function classifyTask(request: ChatCompletionRequest, header: string | undefined, estimatedTokens: number): TaskDecision {
  if (header !== undefined) return { task: header as Task, reason: 'x-lodestar-task header' };
  const system = request.messages.find((message) => message.role === 'system' || message.role === 'developer');
  const text = system ? contentText(system.content).trimStart() : '';
  for (const signature of SIGNATURES) {
    if (text.startsWith(signature.prefix)) {
      if (estimatedTokens >= LONG_CONTEXT_TOKENS && (signature.task === 'edit' || signature.task === 'chat' || signature.task === 'architect')) {
        return { task: 'long-context', reason: `${signature.reason}, ~${estimatedTokens} tokens` };
      }
      return { task: signature.task, reason: signature.reason };
    }
  }
  const agent = agentLoop(request, text);
  if (agent) return { task: 'agent', reason: agent };
  if (estimatedTokens >= LONG_CONTEXT_TOKENS) return { task: 'long-context', reason: `~${estimatedTokens} tokens` };
  return { task: 'chat', reason: 'no task signal' };
}

/**
 * The openings of coding agents' own system prompts: Codex ("You are a coding agent running in
 * the Codex CLI"), Claude Code and the Agent SDK ("You are Claude Code", "You are a Claude
 * agent"), opencode, Qwen Code and Gemini CLI ("an interactive CLI agent"), Cline, Roo, Kilo,
 * Continue's agent mode, and any prompt that calls its model an agent or a CLI tool. Only read
 * when tools are offered: a prompt alone is no loop.
 */
const AGENT_PROMPT = /\b(coding agent|(?:an? )?(?:interactive )?CLI (?:agent|tool)|Claude Code|Claude agent|you are opencode|Qwen Code|Gemini CLI|you are (?:Cline|Roo|Kilo)\b|agent mode|software engineering agent|autonomous agent)/i;

/**
 * An agent's loop, whatever the client: tools offered, and either tool results coming back in
 * the conversation or a system prompt that is an agent's. Says which, or undefined.
 */
export function agentLoop(request: ChatCompletionRequest, systemText: string): string | undefined {
  if (!request.tools?.length) return undefined;
  if (request.messages.some((message) => message.role === 'tool')) return 'tools offered, and tool results in the conversation';
  if (AGENT_PROMPT.test(systemText.slice(0, 2000))) return "tools offered, and an agent's system prompt";
  return undefined;
}

export function isTask(value: string): value is Task {
  return (TASKS as readonly string[]).includes(value);
}

/**
 * A fast upper-leaning estimate of the prompt's tokens: about 3.5 characters a token for code
 * and English, plus a few tokens of framing per message. Exact counts (gpt-tokenizer) are for
 * requests near a model's context window, decided by the router.
 */
export function estimatePromptTokens(request: ChatCompletionRequest): number {
  let characters = 0;
  for (const message of request.messages) {
    const content = message.content;
    if (typeof content === 'string') characters += content.length;
    else if (content) {
      for (const part of content) {
        if (part.type === 'text') characters += (part as { text: string }).text.length;
        // An image costs roughly a thousand tokens, whatever its bytes.
        else if (part.type === 'image_url') characters += 3500;
      }
    }
    if (message.tool_calls) for (const call of message.tool_calls) characters += call.function.name.length + (call.function.arguments?.length ?? 0);
    characters += 14;
  }
  if (request.tools) characters += JSON.stringify(request.tools).length;
  return Math.ceil(characters / 3.5);
}
