// Builds the web UI into dist/web: src/web/main.tsx bundled by esbuild (Preact, Chart.js),
// index.html and styles.css copied beside it, then the size of each file, raw and gzipped.
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/web');
const out = join(root, 'dist/web');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await build({
  entryPoints: [join(source, 'main.tsx')],
  outfile: join(out, 'app.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  sourcemap: false,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: join(source, 'tsconfig.json'),
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css']) await copyFile(join(source, file), join(out, file));

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
let raw = 0;
let gzipped = 0;
const lines = [];
for (const name of (await readdir(out)).sort()) {
  const bytes = await readFile(join(out, name));
  const zipped = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gzipped += zipped;
  lines.push(`  ${name.padEnd(12)} ${kib(bytes.length).padStart(10)}  ${kib(zipped).padStart(10)} gzip`);
}
console.log(`dist/web:\n${lines.join('\n')}\n  ${'total'.padEnd(12)} ${kib(raw).padStart(10)}  ${kib(gzipped).padStart(10)} gzip`);
