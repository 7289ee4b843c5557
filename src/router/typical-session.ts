import type { Task } from './classify-task.js';
import { estimateCost, TYPICAL_OUTPUT_TOKENS, type ModelProfile } from './rank.js';

/**
 * A typical Aider session, for comparing models by what they would cost in use: 20 edits,
 * 3 architect plans, 5 questions, 10 commit messages, 2 history summaries (input tokens with
 * repo map and files, output tokens).
 */
export const TYPICAL_SESSION: ReadonlyArray<{ task: Task; count: number; input: number; output: number }> = [
  { task: 'edit', count: 20, input: 12_000, output: 800 },
  { task: 'architect', count: 3, input: 12_000, output: 1_200 },
  { task: 'chat', count: 5, input: 8_000, output: 500 },
  { task: 'commit', count: 10, input: 1_500, output: 30 },
  { task: 'summary', count: 2, input: 4_000, output: 400 },
];

/** A long-context request as recommend sizes it: a large repository's map and files, past Aider's usual 8-32k. */
export const LONG_CONTEXT_PROMPT = 100_000;

/**
 * One turn of an agent's loop as `models recommend --task agent` sizes it: the agent's own prompt
 * and tools (Codex's first turn is over 18K tokens, Claude Code's about 20K) plus a history that
 * grows turn by turn, and a tool call or a short reply out.
 */
export const TYPICAL_AGENT_TURN = { input: 30_000, output: 2_000 } as const;

/**
 * An inline completion: the code around the cursor (Continue sends at most 1,024 tokens of it,
 * llama.vscode 256 lines before and 64 after) and a line or a short block out.
 */
export const TYPICAL_COMPLETION = { input: 1_500, output: 128 } as const;

/** A typical request of the task, for ranking models without a request in hand. */
export function typicalRequest(task: Task): { promptTokens: number; outputTokens: number } {
  if (task === 'agent') return { promptTokens: TYPICAL_AGENT_TURN.input, outputTokens: TYPICAL_AGENT_TURN.output };
  if (task === 'complete') return { promptTokens: TYPICAL_COMPLETION.input, outputTokens: TYPICAL_COMPLETION.output };
  const part = TYPICAL_SESSION.find((entry) => entry.task === task);
  return part ? { promptTokens: part.input, outputTokens: part.output } : { promptTokens: LONG_CONTEXT_PROMPT, outputTokens: TYPICAL_OUTPUT_TOKENS[task] };
}

/** USD for the typical session on this model alone; 0 for local; undefined if its price is unknown. */
export function sessionCost(profile: ModelProfile): number | undefined {
  let total = 0;
  for (const part of TYPICAL_SESSION) {
    const cost = estimateCost(profile, part.input, part.output);
    if (cost === undefined) return undefined;
    total += cost * part.count;
  }
  return total;
}
