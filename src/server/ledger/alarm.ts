/**
 * A wait the writer's loop can be woken from: `sleep(ms)` (forever when undefined) ends after
 * `ms`, or at `wake(true)` (a flush, a close), or at `wake(false)` (new events) when it was a
 * wait for data (`byData`).
 */
export class Alarm {
  private waiting: { resolve: () => void; byData: boolean } | undefined;

  sleep(ms: number | undefined, byData: boolean): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.waiting = undefined;
        resolve();
      };
      if (ms !== undefined) {
        timer = setTimeout(done, Math.max(0, ms));
        // What waits is on disk already: the writer alone never keeps a process alive.
        timer.unref();
      }
      this.waiting = { resolve: done, byData };
    });
  }

  wake(urgent: boolean): void {
    if (this.waiting && (urgent || this.waiting.byData)) this.waiting.resolve();
  }
}
