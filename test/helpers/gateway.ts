import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subscribeToEvents } from '../../src/shared/events-client.js';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { startAnthropicDouble, startOllamaDouble, startOpenAIDouble, type Double, type OllamaDouble, type OllamaDoubleOptions } from '../doubles/index.js';
import { cleanupHome, daemonState, runCli, tempHome } from './cli.js';

export interface Gateway {
  home: string;
  port: number;
  token: string;
  /** The daemon's OpenAI base URL, for SDK clients. */
  baseURL: string;
  openai: Double;
  deepseek: Double;
  anthropic: Double;
  ollama: OllamaDouble;
  /** Every finished request's event, as /api/events delivered it. */
  events: RequestEvent[];
  /** Resolves once `count` request events have arrived. */
  waitForEvents(count: number, timeoutMs?: number): Promise<RequestEvent[]>;
  /** The event of the request sent with `x-lodestar-project: project`, once it arrives. */
  eventFor(project: string, timeoutMs?: number): Promise<RequestEvent>;
  stop(): Promise<void>;
}

export const KEYS = {
  openai: 'sk-test-openai-000000000000000000',
  deepseek: 'sk-test-deepseek-0000000000000000',
  anthropic: 'sk-ant-test-0000000000000000000000',
};

/**
 * A daemon started through the real CLI (a separate process, as users run it) in front of
 * the upstream doubles, with a temporary LODESTAR_HOME and an optional global config.
 */
export async function startGateway(options: { config?: Record<string, unknown>; env?: Record<string, string>; ollama?: OllamaDoubleOptions } = {}): Promise<Gateway> {
  const home = tempHome('lodestar-gateway-');
  const [openai, deepseek, anthropic, ollama] = await Promise.all([
    startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai }),
    startOpenAIDouble({ flavor: 'deepseek', apiKey: KEYS.deepseek }),
    startAnthropicDouble({ apiKey: KEYS.anthropic }),
    startOllamaDouble(options.ollama),
  ]);
  if (options.config) writeFileSync(join(home, 'config.json'), JSON.stringify(options.config), { mode: 0o600 });
  const env = {
    OPENAI_API_KEY: KEYS.openai,
    OPENAI_BASE_URL: openai.url,
    DEEPSEEK_API_KEY: KEYS.deepseek,
    DEEPSEEK_BASE_URL: deepseek.url,
    ANTHROPIC_API_KEY: KEYS.anthropic,
    ANTHROPIC_BASE_URL: anthropic.url,
    OLLAMA_HOST: ollama.url,
    ...options.env,
  };
  const started = await runCli(['start', '--port', '0'], { home, env });
  if (started.exitCode !== 0) throw new Error(`lodestar start failed: ${started.stderr}`);
  const state = daemonState(home);
  if (!state) throw new Error('no daemon.json after start');
  const token = readFileSync(join(home, 'token'), 'utf8').trim();

  const events: RequestEvent[] = [];
  const waiters: Array<() => void> = [];
  const subscription = await subscribeToEvents(state.port, token, (event) => {
    if (event.type !== 'request') return;
    events.push(event.data as RequestEvent);
    for (const wake of waiters.splice(0)) wake();
  });

  return {
    home,
    port: state.port,
    token,
    baseURL: `http://127.0.0.1:${state.port}/v1`,
    openai,
    deepseek,
    anthropic,
    ollama,
    events,
    async waitForEvents(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} request events, got ${events.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100).unref();
        });
      }
      return events;
    },
    async eventFor(project, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.find((event) => event.project === project);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no request event for project ${project}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100).unref();
        });
      }
    },
    async stop() {
      subscription.close();
      await runCli(['stop', '--force', '--timeout', '5'], { home, env });
      cleanupHome(home);
      await Promise.all([openai, deepseek, anthropic, ollama].map((double) => double.close()));
    },
  };
}

/** A raw HTTP exchange with the daemon, for what SDKs hide (framing, headers, odd requests). */
export async function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path ?? '/v1/chat/completions', headers: { host: `127.0.0.1:${port}`, ...options.headers } },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    if (options.body !== undefined) outgoing.write(options.body);
    outgoing.end();
  });
}

/** A session's events as the ledger holds them this month (what a launcher's summary is checked against). */
export function sessionEvents(home: string, session: string): RequestEvent[] {
  const month = new Date().toISOString().slice(0, 7);
  return readFileSync(join(home, 'ledger', `${month}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RequestEvent)
    .filter((event) => event.session === session);
}
