import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeToEvents, type DaemonEventMessage } from '../../src/cli/events-client.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.stop();
});

describe('GET /api/events', () => {
  it('keeps to the types a client asks for (?types=), and sends every type to a client that names none', async () => {
    const all: DaemonEventMessage[] = [];
    const some: DaemonEventMessage[] = [];
    const everything = await subscribeToEvents(gateway.port, gateway.token, (event) => all.push(event));
    const filtered = await subscribeToEvents(gateway.port, gateway.token, (event) => some.push(event), { types: ['request'] });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    await client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Which events do you send?' }] });
    await expect.poll(() => all.filter((event) => event.type === 'request').length).toBe(1);
    await expect.poll(() => some.length).toBe(1);
    everything.close();
    filtered.close();
    expect(all.map((event) => event.type)).toContain('route');
    expect(some.map((event) => event.type)).toEqual(['request']);
  });

  it('says what is wrong with a bad types list', async () => {
    const answer = await rawRequest(gateway.port, { method: 'GET', path: '/api/events?types=request,%3Cscript%3E', headers: { authorization: `Bearer ${gateway.token}` } });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { param: 'types', message: expect.stringContaining('types must be event types separated by commas') } });
  });
});
