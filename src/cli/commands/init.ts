import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PROJECT_CONFIG_NAME, readConfigFile } from '../../config/load.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import { PACKAGE_ROOT } from '../../shared/package-info.js';
import type { CliContext } from '../context.js';
import { registerAndTell } from '../project-registry.js';
import { gitRoot, resolveProject } from '../project.js';

const TEMPLATES_DIR = join(PACKAGE_ROOT, 'templates');

interface TemplateManifest {
  description: string;
  /** template file -> where it goes in the project */
  files: Record<string, string>;
}

export function registerInit(program: Command, context: CliContext): void {
  program
    .command('init')
    .description('set this project up for Lodestar and Aider: writes .lodestarrc, .aider.conf.yml and CONVENTIONS.md from a template')
    .requiredOption('--template <name>', `one of ${templateNames().join(', ')}`)
    .option('--force', 'overwrite files that already exist')
    .option('--project <name>', "the project's name (default: the git root's folder name)")
    .option('--json', 'print JSON only')
    .action(async (options: { template: string; force?: boolean; project?: string; json?: boolean }) => {
      const written = init(context, options);
      if (written.files.includes(PROJECT_CONFIG_NAME)) await registerAndTell(context.config().paths, written.project, join(written.root, PROJECT_CONFIG_NAME));
      if (options.json) {
        context.output.json(written);
        return;
      }
      context.output.line(`Set up project ${written.project} with the ${written.template} template (${written.description}). Wrote, in ${written.root}:`);
      for (const file of written.files) context.output.line(`  ${file}`);
      context.output.line('');
      context.output.line('Commit them: none holds a secret. Then run Aider through Lodestar: lodestar aider');
    });
}

function templateNames(): string[] {
  try {
    return readdirSync(TEMPLATES_DIR, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(TEMPLATES_DIR, entry.name, 'template.json')))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

function init(context: CliContext, options: { template: string; force?: boolean; project?: string }): { root: string; project: string; template: string; description: string; files: string[] } {
  const names = templateNames();
  if (!names.includes(options.template)) throw new UsageError(`--template must be one of ${names.join(', ')}, got ${JSON.stringify(options.template)}`);
  const folder = join(TEMPLATES_DIR, options.template);
  const manifest = JSON.parse(readFileSync(join(folder, 'template.json'), 'utf8')) as TemplateManifest;
  // The project is the repository, when there is one: Aider reads .aider.conf.yml at the git root.
  const root = gitRoot(context.cwd) ?? context.cwd;
  // A name of its own, not one inherited from a .lodestarrc further up.
  const project = resolveProject(options.project, undefined, root);
  const { config } = context.config();

  const targets = Object.entries(manifest.files).map(([source, target]) => ({ source: join(folder, source), target: join(root, target), name: target }));
  const existing = targets.filter((entry) => existsSync(entry.target)).map((entry) => entry.name);
  if (existing.length && !options.force) {
    throw new LodestarError(`${existing.join(', ')} already ${existing.length === 1 ? 'exists' : 'exist'} in ${root}; nothing was written`, {
      hint: `Run again with --force to replace ${existing.length === 1 ? 'it' : 'them'}.`,
    });
  }
  const values: Record<string, string> = { project, port: String(config.port), template: options.template };
  for (const entry of targets) {
    const text = readFileSync(entry.source, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
    writeFileSync(entry.target, text);
  }
  // What was written must load: a broken template is our bug, said now rather than at the next command.
  const rc = targets.find((entry) => entry.name === PROJECT_CONFIG_NAME);
  if (rc) {
    readConfigFile(rc.target, 'project');
  }
  return { root, project, template: options.template, description: manifest.description, files: targets.map((entry) => entry.name) };
}
