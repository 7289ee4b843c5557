import { describe, expect, it } from 'vitest';
import { LocalQueue, QueueAbortedError } from './local-queue.js';

/** A GPU with room for one model: what is loaded is whatever started last. */
function oneModelGpu(switchWaitMs = 60_000) {
  const loaded = new Set<string>();
  const started: string[] = [];
  const queue = new LocalQueue({
    parallel: 1,
    switchWaitMs,
    loaded: () => loaded,
    fits: (models) => new Set(models).size <= 1,
    onStart: (model) => {
      started.push(model);
      loaded.clear();
      loaded.add(model);
    },
  });
  return { queue, started, loaded };
}

const signal = () => new AbortController().signal;

describe('LocalQueue', () => {
  it('lets a request through at once when nothing else runs', async () => {
    const { queue, started } = oneModelGpu();
    const release = await queue.acquire('a', signal());
    expect(started).toEqual(['a']);
    release();
    expect(queue.snapshot()).toEqual({ inFlight: {}, queued: {} });
  });

  it('serves the loaded model\'s queued requests before switching to another model', async () => {
    const { queue, started } = oneModelGpu();
    const first = await queue.acquire('a', signal());
    const order: string[] = [];
    const b = queue.acquire('b', signal()).then((release) => (order.push('b'), release));
    const a2 = queue.acquire('a', signal()).then((release) => (order.push('a2'), release));
    const a3 = queue.acquire('a', signal()).then((release) => (order.push('a3'), release));
    expect(queue.snapshot().queued).toEqual({ b: 1, a: 2 });
    first();
    (await a2)();
    (await a3)();
    (await b)();
    // One switch (a -> b) instead of three (a -> b -> a -> ...).
    expect(order).toEqual(['a2', 'a3', 'b']);
    expect(started).toEqual(['a', 'a', 'a', 'b']);
  });

  it('never makes a switch wait longer than switchWaitMs: then nothing new starts on the loaded model', async () => {
    const { queue } = oneModelGpu(30);
    const first = await queue.acquire('a', signal());
    const order: string[] = [];
    const b = queue.acquire('b', signal()).then((release) => (order.push('b'), release));
    await new Promise((resolve) => setTimeout(resolve, 60));
    // b is overdue: a request for the loaded model that comes now waits behind it.
    const a2 = queue.acquire('a', signal()).then((release) => (order.push('a2'), release));
    first();
    (await b)();
    (await a2)();
    expect(order).toEqual(['b', 'a2']);
  });

  it('before it is overdue, a switch lets later requests for the loaded model go first', async () => {
    const { queue } = oneModelGpu(60_000);
    const first = await queue.acquire('a', signal());
    const order: string[] = [];
    const b = queue.acquire('b', signal()).then((release) => (order.push('b'), release));
    const a2 = queue.acquire('a', signal()).then((release) => (order.push('a2'), release));
    first();
    (await a2)();
    (await b)();
    expect(order).toEqual(['a2', 'b']);
  });

  it('lets models that fit together run side by side', async () => {
    const queue = new LocalQueue({ parallel: 1, switchWaitMs: 60_000, loaded: () => new Set(['a']), fits: () => true });
    await queue.acquire('a', signal());
    await queue.acquire('b', signal());
    expect(queue.snapshot().inFlight).toEqual({ a: 1, b: 1 });
  });

  it('holds a second request for the same model until the first is done (parallel 1)', async () => {
    const { queue } = oneModelGpu();
    const first = await queue.acquire('a', signal());
    let second = false;
    const pending = queue.acquire('a', signal()).then((release) => ((second = true), release));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    first();
    (await pending)();
    expect(second).toBe(true);
  });

  it('drops a request whose client went away while it waited, and the queue moves on', async () => {
    const { queue } = oneModelGpu();
    const first = await queue.acquire('a', signal());
    const controller = new AbortController();
    const waiting = queue.acquire('b', controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(QueueAbortedError);
    expect(queue.snapshot().queued).toEqual({});
    first();
    expect(queue.idleMs()).toBeGreaterThanOrEqual(0);
    expect(queue.snapshot().inFlight).toEqual({});
  });
});
