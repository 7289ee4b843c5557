/**
 * The coding tools Lodestar tells apart in the ledger (`lodestar report --by tool`): those its
 * launchers run (they send x-lodestar-tool), Lodestar's VS Code extension (its inline completions
 * send x-lodestar-tool: vscode), and the agents it knows by their user agent.
 */
export const TOOL_NAMES = ['aider', 'claude', 'codex', 'opencode', 'qwen', 'continue', 'vscode', 'other'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export function isToolName(value: string): value is ToolName {
  return (TOOL_NAMES as readonly string[]).includes(value);
}

/**
 * A tool by the user agent it sends: Claude Code "claude-cli/2.1.337 (external, cli)", Codex
 * "codex_exec/0.169.0 (...)" (its TUI "codex_cli_rs/..." or "codex-tui"), opencode
 * "opencode/1.18.33 ...", Qwen Code "QwenCode/0.x (...)"; anything else is other.
 */
export function toolFromUserAgent(userAgent: string | undefined): ToolName {
  if (!userAgent) return 'other';
  if (userAgent.startsWith('claude-cli')) return 'claude';
  if (/^codex[_-]/.test(userAgent)) return 'codex';
  if (/^opencode\//i.test(userAgent)) return 'opencode';
  if (/^QwenCode\//i.test(userAgent)) return 'qwen';
  return 'other';
}
