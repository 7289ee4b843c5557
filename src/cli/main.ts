import { Command, CommanderError } from 'commander';
import { LodestarError, errorMessage } from '../shared/errors.js';
import { VERSION } from '../shared/package-info.js';
import { registerAider } from './commands/aider.js';
import { registerBudget } from './commands/budget.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerHealth } from './commands/health.js';
import { registerInit } from './commands/init.js';
import { registerModels } from './commands/models.js';
import { registerReport } from './commands/report.js';
import { registerStart } from './commands/start.js';
import { registerStatus } from './commands/status.js';
import { registerStop } from './commands/stop.js';
import { registerUi } from './commands/ui.js';
import { registerClaude } from './commands/claude.js';
import { registerCodex } from './commands/codex.js';
import { registerEnv } from './commands/env.js';
import { registerStatusline } from './commands/statusline.js';
import { registerAb } from './commands/ab.js';
import { registerAdmin } from './commands/admin.js';
import { registerServer } from './commands/server.js';
import { createCliContext, type CliContext } from './context.js';
import { registerAndTell } from './project-registry.js';
import { createOutput, type Output } from './output/print.js';

export function buildProgram(context: CliContext): Command {
  const program = new Command('lodestar')
    .description('Routes each AI coding request to the cheapest model that is good enough, and costs every token.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run `lodestar --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  // Every command loads the configuration first, so a broken .lodestarrc stops them all alike.
  program.hook('preAction', async () => {
    const loaded = context.config();
    // A project that names itself is made known to the daemon (its routing and baseline).
    if (loaded.projectFile && loaded.config.project) await registerAndTell(loaded.paths, loaded.config.project, loaded.projectFile);
  });
  registerStart(program, context);
  registerStop(program, context);
  registerStatus(program, context);
  registerHealth(program, context);
  registerDoctor(program, context);
  registerReport(program, context);
  registerBudget(program, context);
  registerModels(program, context);
  registerDemo(program, context);
  registerAider(program, context);
  registerInit(program, context);
  registerDashboard(program, context);
  registerUi(program, context);
  registerClaude(program, context);
  registerCodex(program, context);
  registerEnv(program, context);
  registerStatusline(program, context);
  registerAb(program, context);
  registerServer(program, context);
  registerAdmin(program, context);
  return program;
}

/** Runs the CLI and returns the exit status; only bin/lodestar sets it on the process. */
export async function main(argv: readonly string[], output: Output = createOutput()): Promise<number> {
  const context = createCliContext(output);
  const program = buildProgram(context);
  try {
    await program.parseAsync([...argv]);
    return context.exitCode;
  } catch (error) {
    return report(error, output);
  }
}

function report(error: unknown, output: Output): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help text) already.
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof LodestarError) {
    if (error.exitCode === 0) {
      output.line(error.message);
      return 0;
    }
    output.error(error.message, error.hint);
    return error.exitCode;
  }
  output.error(errorMessage(error));
  if (process.env.LODESTAR_DEBUG && error instanceof Error && error.stack) output.note(error.stack);
  return 1;
}
