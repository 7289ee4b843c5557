#!/usr/bin/env node
// Refits the SWE-bench Verified -> Aider polyglot calibration from the figures in
// src/router/data/quality-evidence.json and writes the fit back into that file.
// Run after `npm run build` (it uses the compiled router): node scripts/fit-quality-calibration.mjs
// src/router/calibration-fit.test.ts checks that the committed fit is what this computes.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(new URL('../src/router/data/quality-evidence.json', import.meta.url));
const { calibrationPairs, fitCalibration } = await import('../dist/src/router/calibration-fit.js');
const data = JSON.parse(readFileSync(file, 'utf8'));
const pairs = calibrationPairs(data.calibration.figures);
data.calibration.fit = fitCalibration(pairs);
writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
for (const pair of pairs) console.log(`${pair.name.padEnd(34)} SWE ${String(pair.sweBench).padStart(5)}  polyglot ${String(pair.polyglot).padStart(5)}  (${pair.polyglotSource})`);
console.log(JSON.stringify(data.calibration.fit));
