#!/usr/bin/env node
// The Ollama double (test/doubles/ollama-double.ts, as built into dist/) in a process of its own,
// for the benchmarks that time a path to Ollama: a bench process that is also the upstream would
// share its event loop with the client it times.
//
//   node bench/ollama-double-server.js [--port N] [--first-token-ms N]
//
// One model, qwen2.5-coder:1.5b-base (capabilities completion and insert), on a simulated 4 GB
// GPU whose loads take 10 ms per GiB; every generation answers "return a + b" in 3 pieces of 4
// characters, with no delay. Prints `ollama-double listening <port>` once it listens. Asked over
// IPC ('last-generate'), it answers with the last /api/generate request it got ({body, aborted}),
// so that the bench can check what a gateway sent.
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const index = args.indexOf('--port');
const port = index === -1 ? 0 : Number(args[index + 1]);
// --first-token-ms N: each generation's prompt evaluation takes N ms (a slow GPU), 0 by default.
const firstToken = args.indexOf('--first-token-ms');
const firstTokenDelayMs = firstToken === -1 ? 0 : Number(args[firstToken + 1]);

const { startOllamaDouble } = await import(pathToFileURL(join(ROOT, 'dist', 'test', 'doubles', 'index.js')).href);
const double = await startOllamaDouble({
  port,
  loadMsPerGiB: 10,
  firstTokenDelayMs,
  models: [{ name: 'qwen2.5-coder:1.5b-base', sizeBytes: 1_228_800_000, diskBytes: 986_061_892, parameterSize: '1.5B', family: 'qwen2', capabilities: ['completion', 'insert'] }],
});
double.setDefault({ kind: 'reply', text: 'return a + b', chunkSize: 4 });
// Its record of every request would grow without bound over a bench run.
setInterval(() => double.requests.splice(0, Math.max(0, double.requests.length - 100)), 1000).unref();
process.on('message', (message) => {
  if (message !== 'last-generate') return;
  const last = double.requests.findLast((request) => request.path === '/api/generate');
  process.send?.({ body: last?.body, aborted: last?.aborted });
});
process.stdout.write(`ollama-double listening ${double.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => void double.close().then(() => process.exit(0)));
