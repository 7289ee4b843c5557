import { constants } from 'node:os';
import { execa } from 'execa';
import { LodestarError } from '../shared/errors.js';

/**
 * Runs a coding tool (Aider, Claude Code, Codex) in this terminal and resolves with its exit status.
 * Ctrl-C reaches the tool straight from the terminal (same process group) and the tool handles
 * it itself (Aider: a first ^C stops the reply, a second quits; Claude Code: the same), so
 * Lodestar ignores SIGINT while it runs, and passes SIGTERM and SIGHUP on, so that the tool
 * never outlives it. A signal that ends the tool gives 128 + its number, as a shell would.
 */
export async function runTool(tool: { name: string; install: string }, bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  // PWD too: some tools (opencode) take their project folder from it rather than from the working directory.
  const child = execa(bin, args, { stdio: 'inherit', env: { ...env, PWD: cwd }, extendEnv: false, cwd, reject: false, cleanup: true, forceKillAfterDelay: 3000 });
  const ignore = (): void => {};
  const forward = (signal: NodeJS.Signals) => (): void => {
    child.kill(signal);
  };
  const onTerm = forward('SIGTERM');
  const onHup = forward('SIGHUP');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  try {
    const result = await child;
    if (result.exitCode !== undefined) return result.exitCode;
    if (result.signal) return 128 + (constants.signals[result.signal] ?? 1);
    throw new LodestarError(`${tool.name} could not be started (${bin}): ${result.code ?? result.shortMessage}`, { hint: `Check that it runs on its own (${bin} --version), or reinstall it: ${tool.install}` });
  } finally {
    process.off('SIGINT', ignore);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onHup);
  }
}
