import type { Command } from 'commander';
import { ENV_TOOLS, toolSetup, type EnvFacts, type EnvTool } from '../../launch/agent-env.js';
import { UsageError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';
import { resolveProject } from '../project.js';

/**
 * `lodestar env <tool>`: what a coding tool needs to use the daemon, to paste or eval: the
 * variables (the token read from its file, never printed), the tool's own configuration with
 * the daemon's models and their limits, and what to run.
 */
export function registerEnv(program: Command, context: CliContext): void {
  program
    .command('env')
    .description(`what a coding tool needs to use Lodestar (its base URL, token variable, model names, config): ${ENV_TOOLS.join(', ')}`)
    .argument('<tool>', ENV_TOOLS.join(', '))
    .option('--project <name>', "the project its requests count for (default: .lodestarrc's project, else the git root's name; none with --no-project)")
    .option('--no-project', 'requests count for no project')
    .option('--json', 'print JSON only')
    .action(async (tool: string, options: { project?: string | false; json?: boolean }) => {
      if (!(ENV_TOOLS as readonly string[]).includes(tool)) throw new UsageError(`<tool> must be one of ${ENV_TOOLS.join(', ')}, got ${JSON.stringify(tool)}`);
      const { config, paths } = context.config();
      const project = options.project === false ? undefined : resolveProject(options.project, config.project, context.cwd);
      const { state, started } = await ensureDaemon(paths, config.port, context.env);
      if (started && !options.json) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}).`);
      const facts: EnvFacts = { url: state.url, project, tokenFile: paths.token, models: await daemonModels(state.port, project, readToken(paths.token)) };
      const setup = toolSetup(tool as EnvTool, facts);
      if (options.json) {
        context.output.json(setup);
        return;
      }
      context.output.line(`# ${setup.summary}`);
      for (const [name, value] of Object.entries(setup.env)) context.output.line(`export ${name}=${value}`);
      if (setup.file) {
        context.output.line(`# ${setup.file.path}${setup.file.format === 'yaml' ? ' (JSON is YAML: paste it as it is)' : ''}:`);
        for (const line of JSON.stringify(setup.file.content, null, 2).split('\n')) context.output.line(line);
      }
      context.output.line(`# then: ${setup.run}`);
      for (const note of setup.notes) context.output.line(`# ${note}`);
    });
}

async function daemonModels(port: number, project: string | undefined, token: string | undefined): Promise<EnvFacts['models']> {
  try {
    const reply = await callDaemon({ port }, `${project ? `/p/${project}` : ''}/v1/models`, { token, timeoutMs: 5000 });
    const data = (reply.body as { data?: Array<{ id: string; context_window?: number; max_output_tokens?: number }> }).data ?? [];
    return data.filter((entry) => entry.id !== 'lodestar/consensus').map((entry) => ({ id: entry.id, contextWindow: entry.context_window, maxOutputTokens: entry.max_output_tokens }));
  } catch {
    return [];
  }
}
