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
 * The VRAM Ollama may fill, in MiB: the card's total, less what the driver reserves (total -
 * used - free in the same reading, as nvidia-smi's memory.free excludes it), less Ollama's own
 * 457 MiB minimum, less what other programs use (used, minus what Ollama's models held at the
 * time of the reading). It hardly moves as models load and unload, so a reading a few seconds
 * old still serves. `configured` (providers.ollama.vramMiB) wins: for a GPU nvidia-smi here can't see.
 */
export function ollamaVramBudgetMiB(gpu: GpuSample | undefined, ollamaResidentAtReadingMiB: number, configured?: number): number | undefined {
  if (configured !== undefined) return configured;
  const total = gpu?.memoryTotalMiB;
  if (!gpu || total === undefined) return undefined;
  const { memoryUsedMiB: used, memoryFreeMiB: free } = gpu;
  const reserved = used !== undefined && free !== undefined ? Math.max(0, total - used - free) : Math.round(total * DRIVER_RESERVE);
  const others = used === undefined ? 0 : Math.max(0, used - ollamaResidentAtReadingMiB);
  return Math.max(0, total - reserved - OLLAMA_MINIMUM_MIB - others);
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
