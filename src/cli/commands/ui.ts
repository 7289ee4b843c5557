import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { LodestarError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';

export function registerUi(program: Command, context: CliContext): void {
  program
    .command('ui')
    .description('the web UI: starts the daemon if needed, then opens (or prints) a one-time login link')
    .option('--print', 'print the link instead of opening a browser')
    .action(async (options: { print?: boolean }) => {
      const loaded = context.config();
      const { state, started } = await ensureDaemon(loaded.paths, loaded.config.port, context.env);
      if (started) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}).`);
      const reply = await callDaemon(state, '/api/ui/login', { method: 'POST', token: readToken(loaded.paths.token) });
      const body = reply.body as { url?: string; expiresInSeconds?: number; error?: { message?: string } };
      if (reply.status !== 200 || !body.url) throw new LodestarError(body.error?.message ?? `the daemon answered ${reply.status}`);
      const opener = options.print ? undefined : browserOpener(context.env);
      if (opener && (await open(opener, body.url))) {
        context.output.line(`Opened the web UI in your browser (${new URL(body.url).origin}).`);
        return;
      }
      context.output.line(`Open this link in your browser; it logs you in once, within ${body.expiresInSeconds ?? 60} seconds:`);
      context.output.line(body.url);
    });
}

/** xdg-open where a desktop session is, open on macOS; none on a headless machine (the link is printed). */
export function browserOpener(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return undefined;
  return env.DISPLAY || env.WAYLAND_DISPLAY ? 'xdg-open' : undefined;
}

/** Starts the opener detached; false when it can't be started or fails at once. */
function open(command: string, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(command, [url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
    // xdg-open may stay with the browser it started: once it has run a moment, it worked.
    setTimeout(() => {
      child.unref();
      resolve(true);
    }, 1500).unref();
  });
}
