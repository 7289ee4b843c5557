#!/usr/bin/env node
// `npm run bench`: runs the benchmarks, prints their tables, and writes each one's section of
// BENCHMARKS.md (between its markers; the rest of the file is kept).
//
//   node bench/run.js [NAME...] [--quick] [--no-write] [--json FILE] [--keep] [--cpu-prof] [--plan JSON]
//
//   NAME        run only these benchmarks (default: all); known: see BENCHES below
//   --quick     a short smoke run (fewer rounds); its numbers are not written to BENCHMARKS.md
//   --no-write  print only, leave BENCHMARKS.md alone
//   --json F    also write the raw results as JSON to F
//   --keep      keep the temporary folder (logs of the daemon, the bare proxy, Portkey, the upstream)
//   --cpu-prof  run the Lodestar daemon under --cpu-prof and print where its CPU time went
//               (profiling slows it down: BENCHMARKS.md is not written)
//   --plan JSON override the plan (rounds, seconds, ...), e.g. '{"loadRounds":4}'; not written
//
// To add a benchmark: write bench/<name>.js exporting an async function that returns
// { id, title, result, text, markdown } (markdown: its whole section, starting with its
// "## " heading), and add it to BENCHES.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runGatewayBench } from './gateway.js';
import { runLedgerBench } from './ledger.js';
import { runRouterBench } from './router.js';
import { runGpuBench } from './gpu.js';
import { runCacheBench } from './cache.js';
import { runSoakBench } from './soak.js';
import { runUiBench } from './ui.js';
import { runMessagesBench } from './messages.js';
import { runResponsesBench } from './responses.js';
import { runCompletionsBench } from './completions.js';
import { runVscodeBench } from './vscode.js';
import { runServerBench } from './server.js';
import { replaceSection } from './lib/markdown.js';
import { cleanupAll } from './lib/processes.js';

const BENCHES = {
  gateway: runGatewayBench,
  ledger: runLedgerBench,
  router: runRouterBench,
  gpu: runGpuBench,
  cache: runCacheBench,
  soak: runSoakBench,
  ui: runUiBench,
  messages: runMessagesBench,
  responses: runResponsesBench,
  completions: runCompletionsBench,
  vscode: runVscodeBench,
  server: runServerBench,
};

const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

function parseArgs(argv) {
  const options = { names: [], quick: false, write: true, json: undefined, keep: false, cpuProf: false, plan: undefined };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--quick') options.quick = true;
    else if (argument === '--no-write') options.write = false;
    else if (argument === '--keep') options.keep = true;
    else if (argument === '--cpu-prof') options.cpuProf = true;
    else if (argument === '--json') options.json = argv[++index];
    else if (argument === '--plan') options.plan = JSON.parse(argv[++index]);
    else if (argument === '--help' || argument === '-h') options.help = true;
    else if (argument.startsWith('-')) throw usage(`unknown option ${argument} (see --help)`);
    else options.names.push(argument);
  }
  for (const name of options.names) {
    if (!BENCHES[name]) throw usage(`unknown benchmark ${JSON.stringify(name)}; known: ${Object.keys(BENCHES).join(', ')}`);
  }
  return options;
}

function usage(message) {
  return Object.assign(new Error(message), { usage: true });
}

async function main() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 19)) {
    throw new Error(`Node 22.19 or newer is needed (this is ${process.version}): run it with \`npm run bench\`, which uses the project's Node 24`);
  }
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    const comment = lines.slice(0, lines.findIndex((line) => !line.startsWith('//')));
    process.stdout.write(`${comment.map((line) => line.replace(/^\/\/ ?/, '')).join('\n')}\n`);
    return 0;
  }
  const names = options.names.length ? options.names : Object.keys(BENCHES);
  const outcomes = [];
  for (const name of names) {
    process.stderr.write(`\n== bench: ${name}${options.quick ? ' (quick)' : ''}${options.cpuProf ? ' (cpu-prof)' : ''}\n`);
    const outcome = await BENCHES[name]({ quick: options.quick, keep: options.keep, cpuProf: options.cpuProf, plan: options.plan });
    outcomes.push(outcome);
    process.stdout.write(`\n${outcome.text}\n`);
  }

  const write = options.write && !options.quick && !options.cpuProf && !options.plan;
  if (write) {
    let text;
    try {
      text = readFileSync(BENCHMARKS_MD, 'utf8');
    } catch {
      text = undefined;
    }
    for (const outcome of outcomes) text = replaceSection(text, outcome.id, outcome.markdown);
    writeFileSync(BENCHMARKS_MD, text);
    process.stderr.write(`\nwrote ${BENCHMARKS_MD} (${outcomes.map((outcome) => outcome.id).join(', ')})\n`);
  } else if (options.write) {
    process.stderr.write(`\nBENCHMARKS.md left alone (${options.quick ? '--quick' : options.cpuProf ? '--cpu-prof' : '--plan'})\n`);
  }
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(Object.fromEntries(outcomes.map((outcome) => [outcome.id, outcome.result])), null, 2)}\n`);
    process.stderr.write(`wrote ${options.json}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    cleanupAll();
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(error?.usage ? `bench: ${error.message}\n` : `bench failed: ${error?.stack ?? error}\n`);
    cleanupAll();
    process.exitCode = error?.usage ? 2 : 1;
  },
);
