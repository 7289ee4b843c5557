#!/usr/bin/env node
// `lodestar statusline` as one module (dist/statusline.js): Claude Code runs it after every
// message and waits for it, and resolving and loading a dozen modules was a tenth of its time.
// bin/lodestar loads this bundle for that one command; the code is src/cli/statusline.ts.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/statusline.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  outfile: 'dist/statusline.js',
  logLevel: 'warning',
});
