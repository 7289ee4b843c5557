import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { findOnPath } from '../../src/shared/which.js';

/**
 * Where the real coding agents are installed for the tests: .ci/run installs them from npm, by
 * pinned version, into a cache folder outside the clone (LODESTAR_AGENTS_DIR, default
 * ~/.cache/lodestar-ci/agents) that later runs reuse. Each package ships its native binary.
 */
export const AGENT_VERSIONS = { claude: '2.1.337', codex: '0.169.0', opencode: '1.18.33' } as const;

export type AgentName = keyof typeof AGENT_VERSIONS;

export function agentsDir(): string {
  return process.env.LODESTAR_AGENTS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lodestar-ci', 'agents');
}

/**
 * The agent's executable, from the cache folder, else PATH; undefined when there is none. CI
 * sets LODESTAR_REQUIRE_AGENTS=1: a missing agent is then an error, not a skip.
 */
export function agentBin(name: AgentName): string | undefined {
  const cached = join(agentsDir(), 'node_modules', '.bin', name);
  const found = existsSync(cached) ? cached : findOnPath(name);
  if (!found && process.env.LODESTAR_REQUIRE_AGENTS === '1') throw new Error(`${name} ${AGENT_VERSIONS[name]} is not installed in ${agentsDir()} (LODESTAR_REQUIRE_AGENTS=1): run .ci/run, which installs it`);
  return found;
}

/** Why a test of the agent is skipped, said once on stderr. */
export function skipNote(name: AgentName): string {
  const note = `${name} is not installed (npm install --prefix ${agentsDir()} ${name === 'claude' ? '@anthropic-ai/claude-code' : name === 'codex' ? '@openai/codex' : 'opencode-ai'}@${AGENT_VERSIONS[name]}): its tests are skipped`;
  process.stderr.write(`${note}\n`);
  return note;
}
