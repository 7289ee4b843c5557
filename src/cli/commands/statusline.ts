import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { runStatusLine } from '../statusline.js';

/**
 * `lodestar statusline`, listed with the other commands; bin/lodestar runs it without loading
 * the CLI (Claude Code runs it after every message, and waits for it).
 */
export function registerStatusline(program: Command, _context: CliContext): void {
  program
    .command('statusline')
    .description("the line for Claude Code's statusLine setting: the session's real spend from the ledger, its tokens, the last model, the budget left (lodestar claude sets it)")
    .option('--session <id>', "the session (default: Claude Code's session_id, from the JSON on stdin)")
    .option('--since <mark>', 'where the ledger stood when the session began (lodestar claude passes it)')
    .action(async () => {
      await runStatusLine(process.argv.slice(3));
    });
}
