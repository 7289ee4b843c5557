import { describe, expect, it } from 'vitest';
import { CompletionScheduler, type FimRequest } from './scheduler.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A daemon stand-in that takes `ms` to answer and records what it saw. */
function slowDaemon(ms: number) {
  const seen = { started: 0, finished: 0, aborted: 0, inFlight: 0, maxInFlight: 0, prompts: [] as string[] };
  const send = (request: FimRequest, signal: AbortSignal): Promise<string | undefined> => {
    seen.started++;
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    seen.prompts.push(request.prefix);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        seen.inFlight--;
        seen.finished++;
        resolve(`<${request.prefix}>`);
      }, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        seen.inFlight--;
        seen.aborted++;
        reject(new DOMException('aborted', 'AbortError'));
      });
    });
  };
  return { seen, send };
}

describe('CompletionScheduler', () => {
  it('with a keystroke every 80 ms, keeps at most one request in flight and leaves none running after the last completion', async () => {
    // The daemon answers only once the typing is over: however the timers of this (shared, noisy)
    // machine fall, every request but the last is superseded while waiting or in flight.
    const { seen, send } = slowDaemon(3_600_000);
    let release: ((text: string) => void) | undefined;
    const scheduler = new CompletionScheduler((request, signal) => {
      if (request.prefix.endsWith('x'.repeat(12))) {
        seen.started++;
        return new Promise((resolve) => (release = resolve));
      }
      return send(request, signal);
    }, () => 50);
    const answers: Array<Promise<string | undefined>> = [];
    let typed = 'def add(a, b):\n    return ';
    for (let key = 0; key < 12; key++) {
      typed += 'x';
      answers.push(scheduler.complete({ prefix: typed, suffix: '' }));
      await sleep(80);
    }
    await sleep(100);
    release?.('a + b');
    const results = await Promise.all(answers);
    // Only the last keystroke's completion is shown; every earlier one was superseded.
    expect(results).toEqual([...new Array(11).fill(undefined), 'a + b']);
    expect(seen.maxInFlight).toBeLessThanOrEqual(1);
    expect(seen.inFlight).toBe(0);
    // Each request sent before the last was aborted by the next keystroke: none is left running.
    expect(scheduler.counters.sent).toBe(seen.started);
    expect(scheduler.counters.aborted).toBe(scheduler.counters.sent - 1);
    expect(seen.aborted).toBe(scheduler.counters.sent - 1);
    expect(scheduler.counters.inFlight).toBe(0);
    expect(scheduler.counters.asked).toBe(12);
  });

  it('sends nothing for keystrokes faster than the debounce, only the last', async () => {
    const { seen, send } = slowDaemon(10);
    const scheduler = new CompletionScheduler(send, () => 100);
    const answers = ['a', 'ab', 'abc', 'abcd'].map((prefix) => scheduler.complete({ prefix, suffix: '' }));
    expect(await Promise.all(answers)).toEqual([undefined, undefined, undefined, '<abcd>']);
    expect(seen.prompts).toEqual(['abcd']);
  });

  it("aborts the request in flight when the editor's token is cancelled, and when cancel() is called", async () => {
    const { seen, send } = slowDaemon(200);
    const scheduler = new CompletionScheduler(send, () => 0);
    const editor = new AbortController();
    const first = scheduler.complete({ prefix: 'x', suffix: '' }, editor.signal);
    await sleep(30);
    editor.abort();
    expect(await first).toBeUndefined();
    const second = scheduler.complete({ prefix: 'y', suffix: '' });
    await sleep(30);
    scheduler.cancel();
    expect(await second).toBeUndefined();
    expect(seen).toMatchObject({ started: 2, aborted: 2, finished: 0, inFlight: 0 });
  });

  it('passes a failure through when nothing superseded the request', async () => {
    const scheduler = new CompletionScheduler(() => Promise.reject(new Error('daemon said 503')), () => 0);
    await expect(scheduler.complete({ prefix: 'x', suffix: '' })).rejects.toThrow('daemon said 503');
    expect(scheduler.counters.inFlight).toBe(0);
  });
});
