#!/usr/bin/env node
// Refits the two lines that put other benchmarks on SWE-bench Verified's scale for the agent task
// (Terminal-Bench 2.0 -> SWE-bench Verified, Aider polyglot -> SWE-bench Verified) from the
// figures in src/router/data/agentic-evidence.json and quality-evidence.json, and writes the
// fits back into agentic-evidence.json.
// Run after `npm run build` (it uses the compiled router): node scripts/fit-agentic-calibration.mjs
// src/router/agentic-quality.test.ts checks that the committed fits are what this computes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../src/router/data/agentic-evidence.json', import.meta.url));
const qualityFile = fileURLToPath(new URL('../src/router/data/quality-evidence.json', import.meta.url));
const { agenticSweFigures, terminalBenchPoints, polyglotPoints, fitPoints } = await import('../dist/src/router/agentic-quality.js');

// The figures come from the source files, not from the compiled copies, so that a figure just
// added counts without a second build.
const data = JSON.parse(readFileSync(file, 'utf8'));
const reusedFrom = JSON.parse(readFileSync(qualityFile, 'utf8')).calibration.figures;
const sweFigures = agenticSweFigures(data, reusedFrom);
const points = {
  terminalBench: terminalBenchPoints(data.terminalBench.figures, sweFigures),
  polyglot: polyglotPoints(sweFigures),
};
for (const [name, list] of Object.entries(points)) {
  data.fits[name].fit = fitPoints(list);
  console.log(`${name} (${data.fits[name].from}):`);
  for (const point of list) console.log(`  ${point.name.padEnd(36)} ${String(point.x).padStart(5)} -> SWE-bench Verified ${String(point.y).padStart(5)}`);
  console.log(`  ${JSON.stringify(data.fits[name].fit)}`);
}
writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
