// The VS Code extension (vscode/), in one run on this machine:
// 1. Activation: loading the packed bundle (vscode/dist/extension.js) and running activate(),
//    in a fresh Node process each time, as an extension host does once per window; the editor's
//    `vscode` module is a stand-in (bench/lib/vscode-stub.cjs), so this is the extension's own
//    share of a window's start. Target: 200 ms.
//
// runVscodeBench(options) -> { id, title, result, text, markdown }
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './gateway-targets.js';
import { max, median, min, percentile } from './lib/stats.js';

export const TARGETS = { activationMs: 200 };
const PLAN = { activations: 30 };
const QUICK = { activations: 5 };

export async function runVscodeBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : PLAN), ...options.plan };
  const bundle = join(ROOT, 'vscode', 'dist', 'extension.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: npm run build makes it`);
  const home = mkdtempSync(join(tmpdir(), 'lodestar-vscode-bench-'));
  const result = { date: new Date().toISOString(), node: process.version, plan };
  try {
    log(`activation: require + activate() of the bundle, ${plan.activations} fresh processes`);
    const runs = [];
    for (let run = 0; run < plan.activations; run++) {
      const script = `const t0 = performance.now(); const extension = require(${JSON.stringify(bundle)}); const t1 = performance.now(); extension.activate({ subscriptions: [] }); const t2 = performance.now(); console.log(JSON.stringify({ load: t1 - t0, activate: t2 - t1, total: t2 - t0 })); process.exit(0);`;
      const output = execFileSync(process.execPath, ['--require', join(ROOT, 'bench', 'lib', 'vscode-stub.cjs'), '-e', script], { cwd: home, env: { ...process.env, LODESTAR_HOME: home }, encoding: 'utf8' });
      runs.push(JSON.parse(output.trim().split('\n').at(-1)));
    }
    const stat = (key) => ({ p50: median(runs.map((run) => run[key])), p95: percentile(runs.map((run) => run[key]), 95), min: min(runs.map((run) => run[key])), max: max(runs.map((run) => run[key])) });
    result.activation = { load: stat('load'), activate: stat('activate'), total: stat('total') };
    log(`  load ${result.activation.load.p50.toFixed(2)} ms, activate() ${result.activation.activate.p50.toFixed(2)} ms, total p50 ${result.activation.total.p50.toFixed(2)} ms (p95 ${result.activation.total.p95.toFixed(2)})`);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  const met = result.activation.total.p95 <= TARGETS.activationMs;
  const ms = (value) => `${value.toFixed(2)} ms`;
  const a = result.activation;
  const text = [
    'VS Code extension',
    `  activation (require + activate, ${plan.activations} processes): p50 ${ms(a.total.p50)}, p95 ${ms(a.total.p95)} (load ${ms(a.load.p50)}, activate() ${ms(a.activate.p50)}); target ${TARGETS.activationMs} ms: ${met ? 'met' : 'NOT met'}`,
  ].join('\n');
  const markdown = [
    '## The VS Code extension (issue 20)',
    '',
    `Run ${result.date.slice(0, 10)} on Node ${result.node}, \`npm run bench -- vscode\`.`,
    '',
    '| what | p50 | p95 | min | max | target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| activation: loading the bundle | ${ms(a.load.p50)} | ${ms(a.load.p95)} | ${ms(a.load.min)} | ${ms(a.load.max)} | |`,
    `| activation: activate() | ${ms(a.activate.p50)} | ${ms(a.activate.p95)} | ${ms(a.activate.min)} | ${ms(a.activate.max)} | |`,
    `| activation: total | ${ms(a.total.p50)} | ${ms(a.total.p95)} | ${ms(a.total.min)} | ${ms(a.total.max)} | ≤ ${TARGETS.activationMs} ms: ${met ? 'met' : '**not met**'} |`,
    '',
    `Activation is measured in a fresh Node process per run (${plan.activations} runs), as an extension host loads an extension once per window, with the editor's \`vscode\` module replaced by a stand-in (bench/lib/vscode-stub.cjs): what is timed is the extension's own share. activate() waits on nothing: the daemon is looked for after it returns.`,
  ].join('\n');
  return { id: 'vscode', title: 'VS Code extension', result, text, markdown };
}
