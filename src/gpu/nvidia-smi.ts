import { execFile } from 'node:child_process';
import { findOnPath } from '../shared/which.js';

/**
 * nvidia-smi's CSV output (reference/ollama-gpu.md section 7): one line per GPU, cells split
 * on ", ", and any cell in brackets ([N/A], [Not Supported], [Unknown Error], ...) unknown,
 * never 0.
 */
export const GPU_FIELDS = [
  'index',
  'name',
  'uuid',
  'utilization.gpu',
  'utilization.memory',
  'memory.total',
  'memory.used',
  'memory.free',
  'temperature.gpu',
  'power.draw',
  'power.limit',
  'clocks.sm',
] as const;

export interface GpuSample {
  index: number;
  name: string;
  uuid: string | undefined;
  utilizationPercent: number | undefined;
  memoryUtilizationPercent: number | undefined;
  memoryTotalMiB: number | undefined;
  memoryUsedMiB: number | undefined;
  memoryFreeMiB: number | undefined;
  temperatureC: number | undefined;
  powerDrawW: number | undefined;
  powerLimitW: number | undefined;
  smClockMHz: number | undefined;
}

export type GpuReading = { kind: 'ok'; gpus: GpuSample[]; at: string } | { kind: 'none'; reason: string; at: string };

/** A cell as a number, or undefined for bracketed "unavailable" tokens and anything unparsable. */
export function cellNumber(cell: string | undefined): number | undefined {
  if (cell === undefined) return undefined;
  const text = cell.trim();
  if (text === '' || text.startsWith('[')) return undefined;
  const value = Number(text.replace(/\s*(%|MiB|W|MHz)$/, ''));
  return Number.isFinite(value) ? value : undefined;
}

function cellText(cell: string | undefined): string | undefined {
  const text = cell?.trim();
  return text === undefined || text === '' || text.startsWith('[') ? undefined : text;
}

/** Parses `--query-gpu=<GPU_FIELDS> --format=csv,noheader,nounits` output. */
export function parseGpuCsv(text: string): GpuSample[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('index,'))
    .map((line) => {
      const cells = line.split(/,\s*/);
      return {
        index: cellNumber(cells[0]) ?? 0,
        name: cellText(cells[1]) ?? 'unknown GPU',
        uuid: cellText(cells[2]),
        utilizationPercent: cellNumber(cells[3]),
        memoryUtilizationPercent: cellNumber(cells[4]),
        memoryTotalMiB: cellNumber(cells[5]),
        memoryUsedMiB: cellNumber(cells[6]),
        memoryFreeMiB: cellNumber(cells[7]),
        temperatureC: cellNumber(cells[8]),
        powerDrawW: cellNumber(cells[9]),
        powerLimitW: cellNumber(cells[10]),
        smClockMHz: cellNumber(cells[11]),
      };
    });
}

/** Why nvidia-smi gave nothing, from its exit status (its man page's RETURN VALUE). */
export function exitReason(code: number | string | undefined, output: string): string {
  const first = output.split('\n').find((line) => line.trim())?.trim();
  switch (code) {
    case 'ENOENT':
      return 'nvidia-smi is not on PATH';
    case 6:
      return 'no NVIDIA GPU found';
    case 9:
      return 'the NVIDIA driver is not loaded';
    case 12:
      return 'the NVML library was not found';
    case 15:
      return 'the GPU has fallen off the bus';
    default:
      return `nvidia-smi failed${code === undefined ? '' : ` (exit ${code})`}${first ? `: ${first}` : ''}`;
  }
}

/** One reading of every GPU; no nvidia-smi, or a failing driver, is "none", never an error. */
export function readGpus(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000): Promise<GpuReading> {
  const at = new Date().toISOString();
  const binary = findOnPath('nvidia-smi', env);
  if (!binary) return Promise.resolve({ kind: 'none', reason: exitReason('ENOENT', ''), at });
  return new Promise((resolve) => {
    execFile(binary, [`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], { timeout: timeoutMs, env }, (error, stdout, stderr) => {
      if (error) {
        const code = typeof error.code === 'number' ? error.code : error.killed ? 'timeout' : (error.code ?? undefined);
        resolve({ kind: 'none', reason: exitReason(code, `${stdout}\n${stderr}`), at });
        return;
      }
      const gpus = parseGpuCsv(stdout);
      resolve(gpus.length ? { kind: 'ok', gpus, at } : { kind: 'none', reason: 'nvidia-smi listed no GPU', at });
    });
  });
}
