// Builds the web UI into dist/web: src/web/main.tsx bundled by esbuild (Preact, Chart.js),
// index.html and styles.css copied beside it, then the size of each file, raw and gzipped.
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePages, sizeReport } from './web-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/web');
const out = join(root, 'dist/web');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await bundlePages({ entry: join(source, 'main.tsx'), outfile: join(out, 'app.js'), tsconfig: join(source, 'tsconfig.json') });
for (const file of ['index.html', 'styles.css']) await copyFile(join(source, file), join(out, file));

console.log(await sizeReport('dist/web', out));
