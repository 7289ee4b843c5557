import type { Command } from 'commander';
import { readExperiments, writeExperiments, type Experiment } from '../../config/experiments.js';
import { abReport, experimentEvents, type AbReport, type ArmReport } from '../../ledger/ab-report.js';
import { TASKS } from '../../router/classify-task.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import { formatMoney, formatTokens } from '../../shared/format.js';
import { isProviderId } from '../../shared/provider-ids.js';
import type { CliContext } from '../context.js';
import { renderTable } from '../output/table.js';

const PROJECT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function registerAb(program: Command, context: CliContext): void {
  const ab = program.command('ab').description("A/B experiments: a task's requests split between two models by session, judged from the ledger");
  ab.command('start')
    .description('start an experiment (the daemon routes by it within a second)')
    .requiredOption('--task <task>', `one of ${TASKS.join(', ')}`)
    .requiredOption('--models <a,b>', 'the two models, "<provider>/<model>,<provider>/<model>"')
    .option('--split <percent>', 'the percentage of sessions that go to the first model', '50')
    .option('--project <name>', "this project's requests only (default: every project's)")
    .action((options: { task: string; models: string; split: string; project?: string }) => {
      const { paths } = context.config();
      const experiment = newExperiment(options);
      const experiments = readExperiments(paths);
      const running = experiments.find((other) => !other.stoppedAt && other.task === experiment.task && other.project === experiment.project);
      if (running) throw new LodestarError(`an experiment on ${experiment.task}${experiment.project ? ` for ${experiment.project}` : ''} is running already (${running.id})`, { hint: `Stop it first: lodestar ab stop --task ${experiment.task}${experiment.project ? ` --project ${experiment.project}` : ''}` });
      writeExperiments(paths, [...experiments, experiment]);
      context.output.line(`Started ${experiment.id}: ${experiment.task} requests to lodestar/auto or lodestar/cheap${experiment.project ? ` from ${experiment.project}` : ''} go by session, ${experiment.split}% to A (${experiment.models[0]}) and ${100 - experiment.split}% to B (${experiment.models[1]}). See how it goes: lodestar ab status`);
    });
  ab.command('status')
    .description("each experiment's arms: requests, cost, latency, tokens, edits that applied, ratings, and a verdict")
    .option('--json', 'print JSON only')
    .action((options: { json?: boolean }) => {
      const { paths } = context.config();
      const experiments = readExperiments(paths).sort((x, y) => Number(Boolean(x.stoppedAt)) - Number(Boolean(y.stoppedAt)) || y.startedAt.localeCompare(x.startedAt));
      const reports = experiments.map((experiment) => ({ experiment, report: abReport(experimentEvents(paths.ledger, experiment.id, experiment.startedAt), experiment.models, experiment.ratings ?? []) }));
      if (options.json) {
        context.output.json(reports.map(({ experiment, report }) => ({ ...experiment, ...report })));
        return;
      }
      if (!reports.length) {
        context.output.line('No experiments. Start one: lodestar ab start --task edit --models deepseek/deepseek-flash,anthropic/claude-sonnet-4-5');
        return;
      }
      for (const { experiment, report } of reports) for (const line of describe(experiment, report)) context.output.line(line);
    });
  ab.command('stop')
    .description('stop the running experiment on a task (its results stay in the ledger)')
    .requiredOption('--task <task>', 'the task of the experiment')
    .option('--project <name>', 'the project it is for')
    .action((options: { task: string; project?: string }) => {
      const { paths } = context.config();
      const experiments = readExperiments(paths);
      const running = experiments.find((experiment) => !experiment.stoppedAt && experiment.task === options.task && experiment.project === options.project);
      if (!running) throw new LodestarError(`no experiment on ${options.task}${options.project ? ` for ${options.project}` : ''} is running`, { hint: 'See them all: lodestar ab status' });
      running.stoppedAt = new Date().toISOString();
      writeExperiments(paths, experiments);
      context.output.line(`Stopped ${running.id}; requests go where the router sends them again.`);
    });
  ab.command('rate')
    .description("your verdict on a session of a running experiment (by default the latest): good or bad")
    .argument('<verdict>', 'good or bad')
    .option('--session <id>', 'the session (default: the most recent one in an experiment)')
    .action((verdict: string, options: { session?: string }) => {
      if (verdict !== 'good' && verdict !== 'bad') throw new UsageError(`the verdict must be good or bad, got ${JSON.stringify(verdict)}`);
      const { paths } = context.config();
      const experiments = readExperiments(paths);
      let found: { experiment: Experiment; session: string; arm: 'a' | 'b'; time: string } | undefined;
      for (const experiment of experiments) {
        for (const event of experimentEvents(paths.ledger, experiment.id, experiment.startedAt)) {
          if (!event.session || !event.ab || (options.session && event.session !== options.session)) continue;
          if (!found || event.time > found.time) found = { experiment, session: event.session, arm: event.ab.arm, time: event.time };
        }
      }
      if (!found) throw new LodestarError(options.session ? `session ${options.session} has no request in an experiment` : 'no session has made a request in an experiment yet');
      found.experiment.ratings = [...(found.experiment.ratings ?? []).filter((rating) => rating.session !== found.session), { session: found.session, arm: found.arm, verdict, at: new Date().toISOString() }];
      writeExperiments(paths, experiments);
      context.output.line(`Rated session ${found.session} (${found.experiment.id}, arm ${found.arm.toUpperCase()}) ${verdict}.`);
    });
}

function newExperiment(options: { task: string; models: string; split: string; project?: string }): Experiment {
  if (!(TASKS as readonly string[]).includes(options.task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(options.task)}`);
  const models = options.models.split(',').map((model) => model.trim());
  if (models.length !== 2 || models.some((model) => !isProviderId(model.slice(0, model.indexOf('/'))) || model.endsWith('/'))) {
    throw new UsageError(`--models must be two models as "<provider>/<model>,<provider>/<model>", got ${JSON.stringify(options.models)}`);
  }
  if (models[0] === models[1]) throw new UsageError('--models must be two different models');
  if (!/^\d+$/.test(options.split) || Number(options.split) < 1 || Number(options.split) > 99) throw new UsageError(`--split must be a whole percentage from 1 to 99, got ${JSON.stringify(options.split)}`);
  if (options.project !== undefined && !PROJECT.test(options.project)) throw new UsageError(`--project must be 1-64 letters, digits, ".", "_" or "-", got ${JSON.stringify(options.project)}`);
  const now = new Date();
  return {
    id: `ab-${options.task}-${now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}`,
    task: options.task,
    models: [models[0] as string, models[1] as string],
    split: Number(options.split),
    ...(options.project ? { project: options.project } : {}),
    startedAt: now.toISOString(),
    ratings: [],
  };
}

function describe(experiment: Experiment, report: AbReport): string[] {
  const state = experiment.stoppedAt ? `stopped ${experiment.stoppedAt.slice(0, 16).replace('T', ' ')}` : 'running';
  const row = (arm: ArmReport): string[] => [
    `${arm.arm.toUpperCase()} ${arm.model}`,
    String(arm.sessions),
    String(arm.requests),
    formatMoney(arm.costUsd),
    arm.latencyP50Ms === undefined ? '-' : `${Math.round(arm.latencyP50Ms)} ms`,
    `${formatTokens(arm.inputTokens)}/${formatTokens(arm.outputTokens)}`,
    String(arm.fellBack),
    arm.applyRate === undefined ? '-' : `${(arm.applyRate * 100).toFixed(0)}% of ${arm.edits}${arm.applyInterval ? ` (${(arm.applyInterval[0] * 100).toFixed(0)}-${(arm.applyInterval[1] * 100).toFixed(0)}%)` : ''}`,
    `${arm.ratings.good}/${arm.ratings.bad}`,
  ];
  return [
    `${experiment.id} (${state}): ${experiment.task}${experiment.project ? ` in ${experiment.project}` : ''}, ${experiment.split}% of sessions to A`,
    renderTable(
      [{ header: 'arm', flexible: true }, { header: 'sessions', align: 'right' }, { header: 'requests', align: 'right' }, { header: 'cost', align: 'right' }, { header: 'p50', align: 'right' }, { header: 'tokens in/out', align: 'right' }, { header: 'fell back', align: 'right' }, { header: 'edits applied (95%)', align: 'right' }, { header: 'good/bad', align: 'right' }],
      report.arms.map(row),
      160,
    ),
    `Verdict: ${report.verdict}`,
    '',
  ];
}
