import { describe, expect, it } from 'vitest';
import { parseGpuCsv } from './nvidia-smi.js';
import { estimateLoadedMiB, ollamaVramBudgetMiB } from './fit.js';

const reading = (line: string) => parseGpuCsv(line)[0];

describe('ollamaVramBudgetMiB', () => {
  it("an idle T600 Laptop: 4096 MiB less the driver's 378, Ollama's 457 and the desktop's 5", () => {
    expect(ollamaVramBudgetMiB(reading('0, NVIDIA T600 Laptop GPU, GPU-0, 0, 0, 4096, 5, 3713, 56, 10.00, 35.00, 300'), 0)).toBe(3256);
  });

  it("stays the same while Ollama's own models fill the card", () => {
    // qwen2.5-coder:1.5b loaded (1312 MiB of VRAM) by Ollama: the reference's "generating" capture.
    expect(ollamaVramBudgetMiB(reading('0, NVIDIA T600 Laptop GPU, GPU-0, 97, 58, 4096, 1317, 2401, 71, 33.80, 35.00, 1395'), 1312)).toBe(3256);
  });

  it("shrinks by what other programs use, and falls back to the driver's usual share when free is [N/A]", () => {
    expect(ollamaVramBudgetMiB(reading('0, NVIDIA T600 Laptop GPU, GPU-0, 0, 0, 4096, 805, 2913, 56, 10.00, 35.00, 300'), 0)).toBe(2456);
    expect(ollamaVramBudgetMiB(reading('0, NVIDIA T600, GPU-0, 0, 0, 4096, [N/A], [N/A], 38, 8.12, 40.00, 300'), 0)).toBe(4096 - 378 - 457);
  });

  it('is unknown without a reading, and config wins over any reading', () => {
    expect(ollamaVramBudgetMiB(undefined, 0)).toBeUndefined();
    expect(ollamaVramBudgetMiB(undefined, 0, 7000)).toBe(7000);
  });
});

describe('estimateLoadedMiB', () => {
  it('puts qwen2.5-coder:1.5b (986 MB on disk) near the 1.1-1.4 GB that ollama ps shows at 4k', () => {
    const mib = estimateLoadedMiB(986_061_892, 4096);
    expect(mib * 1048576).toBeGreaterThan(1.1e9);
    expect(mib * 1048576).toBeLessThan(1.45e9);
  });
});
