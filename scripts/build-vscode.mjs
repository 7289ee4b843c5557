// Builds the VS Code extension: vscode/src/extension.ts bundled by esbuild into
// vscode/dist/extension.js (CommonJS, the editor's own `vscode` module left out), then packed
// with @vscode/vsce into dist/lodestar-vscode.vsix, which `code --install-extension` takes.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = join(root, 'vscode');
const vsix = join(root, 'dist', 'lodestar-vscode.vsix');

await rm(join(folder, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: [join(folder, 'src', 'extension.ts')],
  outfile: join(folder, 'dist', 'extension.js'),
  bundle: true,
  minify: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['vscode'],
  // jsonc-parser's main is a UMD build that requires its parts at run time: take its ES modules.
  mainFields: ['module', 'main'],
  sourcemap: false,
  tsconfig: join(folder, 'tsconfig.json'),
  logLevel: 'warning',
});
await mkdir(join(root, 'dist'), { recursive: true });
// vsce asks before packing without a repository or licence only on a terminal; both are there.
execFileSync(join(root, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--skip-license', '--out', vsix], { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] });
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`vscode extension: ${kib((await stat(join(folder, 'dist', 'extension.js'))).size)} bundle, ${kib((await stat(vsix)).size)} ${vsix.slice(root.length)}`);
