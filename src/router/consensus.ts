import type { Candidate } from './resolve-model.js';

/** How many models a consensus request asks, unless config says otherwise. */
export const DEFAULT_MEMBERS = 3;

/**
 * The models a consensus request asks: the router's ranking for the request, first model of
 * each provider in its order (adequate, cheapest first), up to `count`: different providers, so
 * that one outage or one family's blind spot doesn't decide the vote.
 */
export function pickMembers(ranked: readonly Candidate[], count: number): Candidate[] {
  const members: Candidate[] = [];
  const providers = new Set<string>();
  for (const candidate of ranked) {
    if (providers.has(candidate.provider)) continue;
    providers.add(candidate.provider);
    members.push(candidate);
    if (members.length === count) break;
  }
  return members;
}

const BLOCK = /^([^\n]*)\n(?:```[^\n]*\n)?<{5,9} SEARCH[^\n]*\n([\s\S]*?)\n={5,9}\n([\s\S]*?)\n>{5,9} REPLACE/gm;

/**
 * The edit blocks of an answer in Aider's SEARCH/REPLACE format (file path, search, replace),
 * each written with its whitespace normalized (runs of spaces and tabs as one, no trailing
 * space, no blank lines at either end): two answers that differ only in spacing agree.
 */
export function editBlocks(answer: string): string[] {
  const blocks: string[] = [];
  for (const match of answer.matchAll(BLOCK)) {
    const [, path = '', search = '', replace = ''] = match;
    blocks.push(`${normalize(path.replace(/^[`#*\s]+|[`*\s]+$/g, ''))}\n${normalize(search)}\n=======\n${normalize(replace)}`);
  }
  return blocks;
}

function normalize(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trimEnd())
    .join('\n')
    .replace(/^\n+|\n+$/g, '');
}

export interface Vote {
  /** The answer chosen: the first of the majority's. */
  winner: number | undefined;
  /** The answers that made the majority. */
  agreeing: number[];
  /** Whether the answers carried edit blocks at all (else a judge, or the first, decides). */
  edits: boolean;
}

/**
 * Aider's edits by majority: the answers (in the order they came) whose edit blocks, compared
 * after normalizing whitespace, are the same as more than half of the answers that came. None
 * when no edits agree that widely.
 */
export function voteOnEdits(answers: readonly string[]): Vote {
  const keys = answers.map((answer) => editBlocks(answer).join('\n\u0000\n'));
  const edits = keys.some((key) => key !== '');
  if (!edits) return { winner: undefined, agreeing: [], edits };
  const groups = new Map<string, number[]>();
  keys.forEach((key, index) => {
    if (key) groups.set(key, [...(groups.get(key) ?? []), index]);
  });
  const largest = [...groups.values()].sort((a, b) => b.length - a.length || (a[0] ?? 0) - (b[0] ?? 0))[0] ?? [];
  return largest.length * 2 > answers.length ? { winner: largest[0], agreeing: largest, edits } : { winner: undefined, agreeing: [], edits };
}

/** The judge's prompt: the question and the numbered answers; it replies with a number. */
export function judgePrompt(question: string, answers: readonly string[]): string {
  const listed = answers.map((answer, index) => `## Answer ${index + 1}\n${answer}`).join('\n\n');
  return `Several assistants answered the same request. Pick the best answer: correct, complete and to the point. Reply with its number only.\n\n## The request\n${question}\n\n${listed}`;
}

/** The number a judge replied (1-based), as an index, if it names one of the answers. */
export function judgeChoice(reply: string, count: number): number | undefined {
  const number = Number(/\d+/.exec(reply)?.[0]);
  return Number.isInteger(number) && number >= 1 && number <= count ? number - 1 : undefined;
}
