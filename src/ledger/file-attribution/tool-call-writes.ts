import { applyPatchWrites } from './apply-patch.js';
import { byteLength, type AnswerCall, type FileWrite } from './observed-answer.js';
import { shellWrites } from './shell-writes.js';

type Arguments = Record<string, unknown>;

/**
 * The files one tool call writes, by the tool's name and the argument shapes of the agents
 * (reference/vscode-extension.md section 5): Claude Code's Write, Edit, MultiEdit and
 * NotebookEdit; opencode's write, edit and apply_patch; Codex's apply_patch (a custom tool's raw
 * patch, or a function's) and its shell commands; Gemini CLI's and Qwen Code's write_file and
 * replace. Any other tool writes nothing that can be told.
 */
export function toolCallWrites(call: AnswerCall): FileWrite[] {
  const reader = READERS[call.name];
  if (reader) {
    const parsed = parseArguments(call.input);
    return parsed ? reader(parsed) : [];
  }
  if (call.name === 'apply_patch') return applyPatchWrites(patchOf(call.input));
  return [];
}

const READERS: Readonly<Record<string, (input: Arguments) => FileWrite[]>> = {
  // Claude Code
  Write: (input) => one(input.file_path, input.content),
  Edit: (input) => one(input.file_path, input.new_string),
  MultiEdit: (input) => one(input.file_path, Array.isArray(input.edits) ? input.edits.map((edit: { new_string?: unknown }) => text(edit?.new_string)).join('') : ''),
  NotebookEdit: (input) => one(input.notebook_path, input.new_source),
  // opencode
  write: (input) => one(input.filePath ?? input.file_path, input.content),
  edit: (input) => one(input.filePath ?? input.file_path, input.newString ?? input.new_string),
  // Gemini CLI, Qwen Code
  write_file: (input) => one(input.file_path ?? input.path, input.content),
  replace: (input) => one(input.file_path, input.new_string),
  // Codex's shells: `shell` {command: ["bash", "-lc", script]}, `exec_command` {cmd}, `shell_command` {command}; the Responses API's local_shell and shell calls.
  shell: (input) => shellWrites(script(input.command)),
  local_shell: (input) => shellWrites(script(input.command)),
  shell_command: (input) => shellWrites(script(input.command)),
  exec_command: (input) => shellWrites(script(input.cmd ?? input.command)),
  shell_call: (input) => (Array.isArray(input.commands) ? input.commands.flatMap((command: unknown) => shellWrites(script(command))) : []),
  // The Responses API's own apply_patch tool: an operation {type, path, diff}.
  apply_patch_call: (input) => one(input.path, typeof input.diff === 'string' ? addedText(input.diff) : ''),
};

/** Codex's apply_patch as a function: {"input": patch} (or opencode's {"patchText"}); as a custom tool: the raw patch. */
function patchOf(input: string): string {
  const trimmed = input.trimStart();
  if (!trimmed.startsWith('{')) return input;
  const parsed = parseArguments(input);
  return text(parsed?.input ?? parsed?.patchText ?? parsed?.patch);
}

/** A shell call's script: `["bash", "-lc", script]` is the script; other argv lists are joined as the shell would see them. */
function script(command: unknown): string {
  if (typeof command === 'string') return command;
  if (!Array.isArray(command) || !command.every((part) => typeof part === 'string')) return '';
  const parts = command as string[];
  if (parts.length >= 3 && /(^|\/)(ba|z|da)?sh$/.test(parts[0] as string) && /^-\w*c$/.test(parts[1] as string)) return parts[2] as string;
  return parts.map((part) => (/^[\w./=:@%+-]+$/.test(part) ? part : `'${part.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** The `+` lines of a unified diff, without their `+`. */
function addedText(diff: string): string {
  return diff
    .split('\n')
    .filter((line) => line.startsWith('+') && !line.startsWith('+++'))
    .map((line) => line.slice(1))
    .join('\n');
}

function one(path: unknown, content: unknown): FileWrite[] {
  return typeof path === 'string' && path !== '' ? [{ path, bytes: byteLength(text(content)) }] : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function parseArguments(input: string): Arguments | undefined {
  try {
    const parsed = JSON.parse(input) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Arguments) : undefined;
  } catch {
    return undefined;
  }
}
