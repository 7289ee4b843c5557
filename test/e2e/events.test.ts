import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeToEvents, type DaemonEventMessage } from '../../src/shared/events-client.js';
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

  it('marks a choice made by tier, for want of evidence, in the route event and the response header', async () => {
    // No shipped evidence believed, OpenAI forbidden: no available model has a known score for an edit.
    const own = await startGateway({ config: { quality: { lineage: false, calibration: false }, routing: { forbidden: ['openai/*'] } } });
    try {
      const routes: DaemonEventMessage[] = [];
      const subscription = await subscribeToEvents(own.port, own.token, (event) => routes.push(event), { types: ['route'] });
      const client = new OpenAI({ baseURL: own.baseURL, apiKey: own.token, maxRetries: 0 });
      const { response } = await client.chat.completions
        .create({ model: 'lodestar/auto', messages: [{ role: 'user', content: 'Rename foo to bar in main.py' }] }, { headers: { 'x-lodestar-task': 'edit' } })
        .withResponse();
      expect(response.headers.get('x-lodestar-quality')).toBe('unknown; tier frontier');
      await expect.poll(() => routes.length).toBe(1);
      subscription.close();
      const route = routes[0]?.data as { basis: string; reason: string; candidates: string[]; considered: Array<{ id: string; why: string; tier?: string }> };
      expect(route.basis).toBe('tier');
      expect(route.reason).toMatch(/^[a-z]+\/[^:]+: quality unknown; chosen by tier \(frontier\) as no model of known quality meets the edit floor of 70%$/);
      expect(route.candidates[0]).toBe(response.headers.get('x-lodestar-model'));
      expect(route.considered.find((entry) => entry.id === route.candidates[0])).toMatchObject({ why: 'quality unknown; chosen by tier (frontier)', tier: 'frontier' });
    } finally {
      await own.stop();
    }
  });
});
