import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';
import { sshdUnavailable, startSshd, type Sshd } from '../helpers/sshd.js';

const noSshd = sshdUnavailable();
if (noSshd) console.warn(`remote-gpu: the daemon through a real sshd is SKIPPED: ${noSshd}`);

async function healthWhen(port: number, done: (body: Record<string, any>) => boolean, timeoutMs = 20_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = JSON.parse((await rawRequest(port, { method: 'GET', path: '/health' })).text) as Record<string, any>;
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`health never got there: ${JSON.stringify(body.ollama)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(noSshd)(`Ollama on a GPU box through an SSH tunnel (real OpenSSH sshd on loopback)${noSshd ? `: skipped, ${noSshd}` : ''}`, () => {
  let sshd: Sshd;
  let gateway: Gateway | undefined;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await gateway?.stop();
    await sshd?.cleanup();
  });

  it('reaches Ollama through the tunnel, shows the tunnel in health, and comes back after the box drops', async () => {
    // The Ollama double stands for Ollama on the box: config's baseUrl is its address there.
    gateway = await startGateway({
      config: { providers: { ollama: { ssh: sshd.target, sshArgs: sshd.clientArgs() } } },
    });
    const up = await healthWhen(gateway.port, (body) => body.ollama?.tunnel?.state === 'up' && body.ollama?.reachable === true);
    expect(up.ollama.tunnel).toMatchObject({ target: sshd.target, state: 'up', connects: 1 });
    expect(up.ollama.url).toBe(up.ollama.tunnel.localUrl);
    expect(up.ollama.url).not.toBe(gateway.ollama.url);

    const client = new OpenAI({ apiKey: gateway.token, baseURL: gateway.baseURL });
    const reply = await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'hi' }] });
    expect(reply.choices[0]?.message.content).toBeTruthy();
    expect(gateway.ollama.requests.some((request) => request.path === '/api/chat')).toBe(true);

    // nvidia-smi is asked on the box, through ssh: this test's box has none. (Its answer can also
    // be a failure of the remote shell, whose start-up files are the box's own business; either
    // way the reason names the box.)
    const gpu = await healthWhen(gateway.port, (body) => body.gpu?.reason !== undefined && body.gpu.pending !== true);
    expect(gpu.gpu.available).toBe(false);
    expect(gpu.gpu.reason).toMatch(new RegExp(`^(nvidia-smi is not on PATH on|ssh to|nvidia-smi on) ${sshd.target.replace(/[.]/g, '\\.')}`));

    await sshd.kill();
    const down = await healthWhen(gateway.port, (body) => body.ollama?.tunnel?.state !== 'up');
    expect(down.ollama.tunnel.lastError).toBeTruthy();
    await sshd.start();
    const back = await healthWhen(gateway.port, (body) => body.ollama?.tunnel?.state === 'up' && body.ollama.tunnel.connects >= 2);
    expect(back.ollama.tunnel.restarts).toBeGreaterThan(0);
    const again = await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'hi again' }] });
    expect(again.choices[0]?.message.content).toBeTruthy();
  }, 90_000);
});
