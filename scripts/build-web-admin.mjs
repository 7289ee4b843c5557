// Builds the team server's admin pages into dist/web-admin: src/web/admin/main.tsx bundled by
// esbuild (Preact), the local UI's index.html beside it, and its styles.css followed by the
// admin pages' few rules (src/web/admin/admin.css); then the size of each file.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePages, sizeReport } from './web-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const web = join(root, 'src/web');
const out = join(root, 'dist/web-admin');

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await bundlePages({ entry: join(web, 'admin', 'main.tsx'), outfile: join(out, 'app.js'), tsconfig: join(web, 'tsconfig.json') });
await copyFile(join(web, 'index.html'), join(out, 'index.html'));
const styles = await Promise.all([readFile(join(web, 'styles.css'), 'utf8'), readFile(join(web, 'admin', 'admin.css'), 'utf8')]);
await writeFile(join(out, 'styles.css'), styles.join('\n'));

console.log(await sizeReport('dist/web-admin', out));
