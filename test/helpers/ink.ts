import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { ReactElement } from 'react';

/**
 * Renders with Ink to a terminal of a chosen width, as ink-testing-library does (debug mode:
 * every frame written whole) but for any number of columns: ink-testing-library's terminal is
 * 100 columns, and the dashboard must be seen at 80 and at 120.
 */
export function renderAt(tree: ReactElement, columns: number, rows = 40): { frames: string[]; lastFrame: () => string | undefined; resize: (columns: number) => void; unmount: () => void } {
  const frames: string[] = [];
  const stdout = Object.assign(new EventEmitter(), {
    columns,
    rows,
    isTTY: false,
    write: (frame: string) => {
      frames.push(frame);
      return true;
    },
  });
  const stderr = Object.assign(new EventEmitter(), { write: () => true });
  const stdin = Object.assign(new EventEmitter(), { isTTY: false, setEncoding() {}, setRawMode() {}, resume() {}, pause() {}, ref() {}, unref() {}, read: () => null });
  const instance = render(tree, { stdout: stdout as never, stderr: stderr as never, stdin: stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  // A terminal resized: the new size, then the event a TTY stream emits.
  const resize = (next: number): void => {
    stdout.columns = next;
    stdout.emit('resize');
  };
  return { frames, lastFrame: () => frames.at(-1), resize, unmount: () => instance.unmount() };
}
