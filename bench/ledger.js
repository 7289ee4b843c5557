// Ledger (issue 4): appending events, rebuilding rollups from the JSONL, and `lodestar report
// --month`, over a month of 1,000,000 synthetic events, each in its own process so that time
// and peak memory (maxRSS) are those of that job alone.
//
// runLedgerBench(options) -> { id, title, result, text, markdown }
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, unlinkSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist', 'src');
const BIN = join(ROOT, 'bin', 'lodestar');

export const TARGETS = { reportSeconds: 0.5, reportMB: 150, rebuildSeconds: 10, appendPerSecond: 20_000 };

/** Runs a script in a fresh Node process and returns what it printed as JSON, plus its maxRSS. */
function job(script, env = {}) {
  const wrapped = `${script}\nprocess.stdout.write('\\n' + JSON.stringify({ maxRssMB: process.resourceUsage().maxRSS / 1024 }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', wrapped], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const lines = output.trim().split('\n');
  const usage = JSON.parse(lines.pop());
  const result = lines.length ? JSON.parse(lines.pop()) : {};
  return { ...result, ...usage };
}

export async function runLedgerBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const events = options.quick ? 100_000 : 1_000_000;
  const work = mkdtempSync(join(tmpdir(), 'lodestar-ledger-bench-'));
  const home = join(work, 'home');
  const ledgerDir = join(home, 'ledger');
  mkdirSync(ledgerDir, { recursive: true });
  try {
    // 1. A month of events, written the way the daemon writes them (LedgerWriter, one
    //    synchronous append per event): the append rate is measured on the way.
    log(`writing ${events.toLocaleString('en-US')} events through the daemon's ledger writer`);
    const append = job(`
      import { LedgerWriter } from ${JSON.stringify(join(DIST, 'ledger', 'ledger-writer.js'))};
      const models = [['deepseek/deepseek-flash', 'deepseek', 0.15, 0.6], ['ollama/qwen2.5-coder:3b', 'ollama', 0, 0], ['anthropic/claude-sonnet-5', 'anthropic', 2, 10], ['openai/gpt-5-mini', 'openai', 0.25, 2]];
      const projects = ['web', 'api'];
      const tasks = ['edit', 'commit', 'summary', 'architect', 'chat'];
      const writer = new LedgerWriter({ directory: ${JSON.stringify(ledgerDir)} });
      const count = ${events};
      const start = Date.UTC(2026, 10, 1);
      const started = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        const [model, provider, input, output] = models[i % 4];
        const day = Math.floor(i / (count / 30));
        // Working hours: 08:00 to 18:00 UTC, spread evenly.
        const minute = 480 + Math.floor(((i % (count / 30)) / (count / 30)) * 600);
        const time = new Date(start + day * 86400000 + minute * 60000 + (i % 60) * 1000).toISOString();
        const usage = { inputTokens: 8000 + (i % 5000), cachedInputTokens: 4000, outputTokens: 300 + (i % 700) };
        const cost = (usage.inputTokens * input + usage.outputTokens * output) / 1e6;
        writer.append({ id: 'e' + i, time, project: projects[i % 2], client: 'bench', task: tasks[i % 5], requestedModel: 'lodestar/auto', model, provider, stream: true, status: 'ok', httpStatus: 200, error: undefined,
          usage, costUsd: cost, price: { source: 'lodestar', matched: model, inputPerMTok: input, outputPerMTok: output }, baselineModel: 'anthropic/claude-sonnet-5',
          baselineCostUsd: (usage.inputTokens * 2 + usage.outputTokens * 10) / 1e6, baselinePrice: { source: 'genai-prices', matched: 'claude-sonnet-5', inputPerMTok: 2, outputPerMTok: 10 },
          finishReason: 'stop', latencyMs: 900, ttftMs: 120, overheadMs: 0.3, fallbacks: [], loadDurationMs: undefined });
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      writer.close();
      process.stdout.write(JSON.stringify({ seconds, perSecond: count / seconds, microsecondsPerAppend: (seconds * 1e6) / count }));
    `);
    const ledgerBytes = statSync(join(ledgerDir, '2026-11.jsonl')).size;
    log(`appended at ${Math.round(append.perSecond).toLocaleString('en-US')} events/s; ledger ${(ledgerBytes / 1048576).toFixed(0)} MiB`);

    // 2. Rebuilding the rollups from nothing (as after a crash that lost them).
    const rollupPath = join(ledgerDir, '2026-11.rollup.json');
    if (existsSync(rollupPath)) unlinkSync(rollupPath);
    log('rebuilding rollups from the JSONL');
    const rebuild = job(`
      import { MonthRollup } from ${JSON.stringify(join(DIST, 'ledger', 'rollup-store.js'))};
      const started = process.hrtime.bigint();
      const rollup = MonthRollup.open(${JSON.stringify(ledgerDir)}, '2026-11');
      rollup.save();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(JSON.stringify({ seconds, buckets: rollup.size }));
    `);
    const rollupBytes = statSync(rollupPath).size;
    log(`rebuilt ${rebuild.buckets} buckets in ${rebuild.seconds.toFixed(2)} s`);

    // 3. `lodestar report --month 2026-11`, the real command, rollups present: wall time of the
    //    whole process (median of 5), its peak memory.
    const runs = [];
    for (let run = 0; run < 5; run++) {
      const started = process.hrtime.bigint();
      execFileSync(process.execPath, [BIN, 'report', '--month', '2026-11', '--timezone', 'Europe/Paris'], { env: { ...process.env, LODESTAR_HOME: home }, encoding: 'utf8' });
      runs.push(Number(process.hrtime.bigint() - started) / 1e9);
    }
    runs.sort((a, b) => a - b);
    const report = job(`
      import { main } from ${JSON.stringify(join(DIST, 'cli', 'main.js'))};
      import { createOutput } from ${JSON.stringify(join(DIST, 'cli', 'output', 'print.js'))};
      const sink = { write() { return true; }, isTTY: false, columns: 100 };
      await main(['node', 'lodestar', 'report', '--month', '2026-11', '--timezone', 'Europe/Paris', '--json'], createOutput(sink, process.stderr));
    `, { LODESTAR_HOME: home });
    log(`report --month: ${runs[2].toFixed(3)} s, ${report.maxRssMB.toFixed(0)} MB`);

    const result = {
      events,
      ledgerMiB: ledgerBytes / 1048576,
      rollupMiB: rollupBytes / 1048576,
      append,
      rebuild,
      report: { seconds: runs[2], runs, maxRssMB: report.maxRssMB },
      node: process.version,
      date: new Date().toISOString(),
    };
    return { id: 'ledger', title: 'Ledger, rollups and reports (issue 4)', result, text: renderText(result), markdown: renderMarkdown(result) };
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
}

function verdict(met) {
  return met ? 'met' : '**not met**';
}

function renderText(result) {
  return [
    `Ledger over ${result.events.toLocaleString('en-US')} events (${result.ledgerMiB.toFixed(0)} MiB of JSONL, rollups ${result.rollupMiB.toFixed(1)} MiB):`,
    `  append (daemon's writer, sync write per event): ${Math.round(result.append.perSecond).toLocaleString('en-US')} events/s (${result.append.microsecondsPerAppend.toFixed(1)} us each)`,
    `  rebuild rollups from the JSONL: ${result.rebuild.seconds.toFixed(2)} s, ${result.rebuild.maxRssMB.toFixed(0)} MB peak, ${result.rebuild.buckets} buckets`,
    `  lodestar report --month: ${result.report.seconds.toFixed(3)} s (median of 5 runs of the whole command), ${result.report.maxRssMB.toFixed(0)} MB peak`,
  ].join('\n');
}

function renderMarkdown(result) {
  const rows = [
    ['`lodestar report --month` (whole command, rollups present)', `${result.report.seconds.toFixed(3)} s, ${result.report.maxRssMB.toFixed(0)} MB peak`, `<= ${TARGETS.reportSeconds} s, <= ${TARGETS.reportMB} MB`, verdict(result.report.seconds <= TARGETS.reportSeconds && result.report.maxRssMB <= TARGETS.reportMB)],
    ['rebuild rollups from the JSONL', `${result.rebuild.seconds.toFixed(2)} s, ${result.rebuild.maxRssMB.toFixed(0)} MB peak`, `<= ${TARGETS.rebuildSeconds} s`, verdict(result.rebuild.seconds <= TARGETS.rebuildSeconds)],
    ['append events (the daemon\'s writer)', `${Math.round(result.append.perSecond).toLocaleString('en-US')} events/s, ${result.append.microsecondsPerAppend.toFixed(1)} µs each`, `>= ${TARGETS.appendPerSecond.toLocaleString('en-US')}/s`, verdict(result.append.perSecond >= TARGETS.appendPerSecond)],
  ];
  return `## Ledger, rollups and reports (issue 4)

Measured ${result.date.slice(0, 16).replace('T', ' ')} UTC with Node ${result.node}, by \`npm run bench\` (bench/ledger.js).

- **Data**: ${result.events.toLocaleString('en-US')} synthetic events in one month (${result.ledgerMiB.toFixed(0)} MiB of JSONL), written by the daemon's own \`LedgerWriter\`: 2 projects, 4 models, 5 tasks, spread over working hours (08:00-18:00 UTC) of 30 days. Rollups: ${result.rebuild.buckets.toLocaleString('en-US')} buckets (15-minute slot x project x model x provider x task), ${result.rollupMiB.toFixed(1)} MiB.
- **Append**: one synchronous \`write\` per event (so an answered request's event is in the file before its last byte), fsync batched every 200 ms; measured as the time to append all events in one process.
- **Rebuild**: the month's rollups deleted, then \`MonthRollup.open\` reads the JSONL and saves the rollups, in a fresh process; peak memory is that process's maxRSS.
- **Report**: the real \`lodestar report --month 2026-11 --timezone Europe/Paris\`, spawned 5 times (median wall time, Node start-up included); peak memory from the same command run in a process that reports its maxRSS.

| job | measured | target | |
| --- | --- | --- | --- |
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

For scale (from the issue, same machine): ccusage 18 needs 31 s and 2.3 GB for the monthly report of 200,000 Claude Code log entries; it re-reads every log line each time, where Lodestar reads rollups.
`;
}
