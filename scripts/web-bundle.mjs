// What the two browser builds share (build-web.mjs: the local UI; build-web-admin.mjs: the team
// server's admin pages): one esbuild bundle of Preact pages, and the size of what was built.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Bundles a page's entry (main.tsx) into one minified ES module. */
export async function bundlePages({ entry, outfile, tsconfig }) {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    sourcemap: false,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
}

/** Each file of a built folder with its size, raw and gzipped, and the total: for the build's log. */
export async function sizeReport(label, dir) {
  const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
  let raw = 0;
  let gzipped = 0;
  const lines = [];
  for (const name of (await readdir(dir)).sort()) {
    const bytes = await readFile(join(dir, name));
    const zipped = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzipped += zipped;
    lines.push(`  ${name.padEnd(12)} ${kib(bytes.length).padStart(10)}  ${kib(zipped).padStart(10)} gzip`);
  }
  return `${label}:\n${lines.join('\n')}\n  ${'total'.padEnd(12)} ${kib(raw).padStart(10)}  ${kib(gzipped).padStart(10)} gzip`;
}
