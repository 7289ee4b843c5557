import type { GpuSample } from './nvidia-smi.js';

/**
 * Which models fit in VRAM (reference/ollama-gpu.md sections 4 and 8). Ollama subtracts a fixed
 * 457 MiB per CUDA GPU from the free VRAM before fitting a model; the driver keeps about 9% of a
 * 4 GB card for itself (CUDA sees 3718 of 4096 MiB on a T600 Laptop).
 */
export const OLLAMA_MINIMUM_MIB = 457;
const DRIVER_RESERVE = 0.0923;
const MIB = 1024 * 1024;

/**
 * The VRAM Ollama may fill, in MiB. From a live reading: what is free plus what Ollama's own
 * models hold now (so other programs' use counts against it), minus Ollama's minimum; without
 * a free figure, from the total. `configured` (providers.ollama.vramMiB) wins: for a GPU that
 * nvidia-smi here can't see.
 */
export function ollamaVramBudgetMiB(gpu: GpuSample | undefined, ollamaResidentMiB: number, configured?: number): number | undefined {
  if (configured !== undefined) return configured;
  if (!gpu) return undefined;
  if (gpu.memoryFreeMiB !== undefined) return Math.max(0, gpu.memoryFreeMiB + ollamaResidentMiB - OLLAMA_MINIMUM_MIB);
  if (gpu.memoryTotalMiB !== undefined) return gpu.memoryTotalMiB - Math.round(gpu.memoryTotalMiB * DRIVER_RESERVE) - OLLAMA_MINIMUM_MIB;
  return undefined;
}

/**
 * A model's loaded footprint before it was ever seen loaded: weights ~1.2x their size on disk,
 * plus the KV cache, ~50 MiB per 1k of context for the small coders (ESTIMATE; /api/ps's real
 * size replaces it as soon as the model has been loaded once).
 */
export function estimateLoadedMiB(diskBytes: number, numCtx: number): number {
  return (diskBytes / MIB) * 1.2 + (numCtx / 1024) * 50;
}

/** The usable VRAM of a card from its total alone (for `models list`, which takes one reading). */
export function usableVramMiB(gpu: GpuSample | undefined): number | undefined {
  const total = gpu?.memoryTotalMiB;
  return total === undefined ? undefined : total - Math.round(total * DRIVER_RESERVE) - OLLAMA_MINIMUM_MIB;
}
