import { describe, expect, it } from 'vitest';
import { cellNumber, exitReason, parseComputeApps, parseGpuCsv } from './nvidia-smi.js';

describe('parseGpuCsv', () => {
  it('reads the T600 captures: bracketed cells are unknown, never 0 (reference/ollama-gpu.md 7.4)', () => {
    const [idle, windows, errored] = parseGpuCsv(
      [
        '0, NVIDIA T600 Laptop GPU, GPU-00000000-0000-0000-0000-000000000000, 0, 0, 4096, 5, 3713, 56, 10.00, 35.00, 300',
        '0, NVIDIA T600 Laptop GPU, GPU-00000000-0000-0000-0000-000000000000, 0, 0, 4096, 0, 3718, 56, [N/A], [N/A], 300',
        '0, NVIDIA T600 Laptop GPU, GPU-00000000-0000-0000-0000-000000000000, 0, 0, 4096, 5, 3713, 61, [N/A], [Unknown Error], 300',
      ].join('\n'),
    );
    expect(idle).toMatchObject({ name: 'NVIDIA T600 Laptop GPU', utilizationPercent: 0, memoryTotalMiB: 4096, memoryUsedMiB: 5, memoryFreeMiB: 3713, temperatureC: 56, powerDrawW: 10, powerLimitW: 35, smClockMHz: 300 });
    expect(windows?.powerDrawW).toBeUndefined();
    expect(windows?.memoryUsedMiB).toBe(0);
    expect(errored?.powerLimitW).toBeUndefined();
  });

  it('reads units when nounits was not given, and an [N/A] utilisation (H100 in MIG mode)', () => {
    const [gpu] = parseGpuCsv('0, NVIDIA H100 80GB HBM3, GPU-00000000-0000-0000-0000-000000000000, [N/A], [N/A], 81559 MiB, 59 MiB, 81022 MiB, 42, 71.15 W, 700.00 W, 345 MHz');
    expect(gpu).toMatchObject({ utilizationPercent: undefined, memoryTotalMiB: 81559, powerDrawW: 71.15, smClockMHz: 345 });
    expect(cellNumber('[Not Supported]')).toBeUndefined();
  });

  it("ignores lines that are not a GPU's (a remote shell's start-up files may print)", () => {
    const gpus = parseGpuCsv('pyenv: cannot rehash: lock, busy\n0, NVIDIA T600, GPU-0, 0, 0, 4096, 5, 3713, 38, 8.12, 40.00, 300\n');
    expect(gpus.map((gpu) => gpu.name)).toEqual(['NVIDIA T600']);
  });

  it('names the failure from the exit status', () => {
    expect(exitReason(9, 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.')).toBe('the NVIDIA driver is not loaded');
    expect(exitReason('ENOENT', '')).toBe('nvidia-smi is not on PATH');
    expect(exitReason(255, 'Unknown Error\n')).toBe('nvidia-smi failed (exit 255): Unknown Error');
  });
});

describe('parseComputeApps', () => {
  it("reads Ollama's runner, an [N/A] memory (Windows WDDM), and nothing running", () => {
    const apps = parseComputeApps('48213, /usr/local/lib/ollama/llama-server, 1306\n2056, C:\\Program Files\\a, b\\dwm.exe, [N/A]\n');
    expect(apps).toEqual([
      { pid: 48213, name: '/usr/local/lib/ollama/llama-server', usedMiB: 1306 },
      { pid: 2056, name: 'C:\\Program Files\\a, b\\dwm.exe', usedMiB: undefined },
    ]);
    expect(parseComputeApps('')).toEqual([]);
  });
});
