import { afterEach, expect, it } from 'vitest';
import { isAlive, runCli } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

it('lets an in-flight stream finish before the daemon stops', async () => {
  gateway = await startGateway();
  const { port, token, home } = gateway;
  const pid = JSON.parse((await import('node:fs')).readFileSync(`${home}/daemon.json`, 'utf8')).pid as number;
  gateway.openai.setDefault({ kind: 'reply', text: 'y'.repeat(120), chunkSize: 4, chunkDelayMs: 40 });
  const inFlight = rawRequest(port, {
    body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'long answer please' }], stream: true }),
    headers: { authorization: `Bearer ${token}` },
  });
  // Let the stream start, then ask the daemon to stop while it is still running.
  for (let attempt = 0; attempt < 100 && gateway.openai.requests.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
  const stop = runCli(['stop'], { home });
  const [response, stopped] = await Promise.all([inFlight, stop]);
  expect(stopped.exitCode, stopped.stderr).toBe(0);
  expect(response.status).toBe(200);
  const content = response.text
    .split('\n\n')
    .filter((frame) => frame.startsWith('data: {'))
    .map((frame) => JSON.parse(frame.slice(6)).choices[0]?.delta?.content ?? '')
    .join('');
  expect(content).toBe('y'.repeat(120));
  expect(response.text.endsWith('data: [DONE]\n\n')).toBe(true);
  expect(isAlive(pid)).toBe(false);
});
