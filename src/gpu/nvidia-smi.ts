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
    .map((line) => line.split(/,\s*/))
    // Anything else on stdout (a remote shell's start-up files can print) is not a GPU.
    .filter((cells) => cells.length >= GPU_FIELDS.length && /^\d+$/.test(cells[0] ?? ''))
    .map((cells) => {
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

/** A process holding GPU memory (`--query-compute-apps`): Ollama's runner, for one. */
export interface GpuProcess {
  pid: number | undefined;
  name: string;
  usedMiB: number | undefined;
}

/** Parses `--query-compute-apps=pid,process_name,used_memory --format=csv,noheader,nounits`. */
export function parseComputeApps(text: string): GpuProcess[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('pid,'))
    .map((line) => {
      // A Windows path may hold commas: the pid is the first cell, the memory the last.
      const first = line.indexOf(',');
      const last = line.lastIndexOf(',');
      return {
        pid: cellNumber(line.slice(0, first)),
        name: cellText(line.slice(first + 1, last)) ?? 'unknown',
        usedMiB: cellNumber(line.slice(last + 1)),
      };
    });
}

/**
 * Where nvidia-smi runs: here (found on PATH), or on the GPU box through ssh when Ollama is
 * reached through a tunnel (the GPU that matters is that box's, not this machine's).
 */
export interface NvidiaSmiHost {
  env?: NodeJS.ProcessEnv;
  ssh?: { target: string; args: readonly string[] };
  timeoutMs?: number;
}

type RunResult = { ok: true; stdout: string } | { ok: false; reason: string };

function runNvidiaSmi(args: string[], host: NvidiaSmiHost): Promise<RunResult> {
  const env = host.env ?? process.env;
  let binary: string | undefined;
  let argv: string[];
  if (host.ssh) {
    binary = findOnPath('ssh', env);
    if (!binary) return Promise.resolve({ ok: false, reason: 'ssh is not on PATH' });
    argv = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', ...host.ssh.args, host.ssh.target, 'nvidia-smi', ...args];
  } else {
    binary = findOnPath('nvidia-smi', env);
    if (!binary) return Promise.resolve({ ok: false, reason: exitReason('ENOENT', '') });
    argv = args;
  }
  return new Promise((resolve) => {
    execFile(binary, argv, { timeout: host.timeoutMs ?? 5000, env }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const code = typeof error.code === 'number' ? error.code : error.killed ? 'timeout' : (error.code ?? undefined);
      // Through ssh, 127 is the remote shell's "command not found"; 255 is ssh's own failure.
      if (host.ssh && code === 127) return resolve({ ok: false, reason: `nvidia-smi is not on PATH on ${host.ssh.target}` });
      if (host.ssh && code === 255) return resolve({ ok: false, reason: `ssh to ${host.ssh.target} failed: ${lastLine(stderr) ?? 'ssh exited with 255 and no message'}` });
      if (host.ssh && code === 'timeout') return resolve({ ok: false, reason: `nvidia-smi on ${host.ssh.target} did not answer within ${(host.timeoutMs ?? 5000) / 1000} s` });
      resolve({ ok: false, reason: exitReason(code, `${stdout}\n${stderr}`) });
    });
  });
}

/** ssh's last word, without its notes about known hosts. */
function lastLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('Warning: Permanently added'))
    .at(-1);
}

/** One reading of every GPU; no nvidia-smi, or a failing driver, is "none", never an error. */
export async function readGpus(env: NodeJS.ProcessEnv = process.env, timeoutMs = 5000, host: NvidiaSmiHost = {}): Promise<GpuReading> {
  const at = new Date().toISOString();
  const result = await runNvidiaSmi([`--query-gpu=${GPU_FIELDS.join(',')}`, '--format=csv,noheader,nounits'], { env, timeoutMs, ...host });
  if (!result.ok) return { kind: 'none', reason: result.reason, at };
  const gpus = parseGpuCsv(result.stdout);
  return gpus.length ? { kind: 'ok', gpus, at } : { kind: 'none', reason: 'nvidia-smi listed no GPU', at };
}

/** The processes holding GPU memory; undefined when nvidia-smi can't say. */
export async function readGpuProcesses(host: NvidiaSmiHost = {}): Promise<GpuProcess[] | undefined> {
  const result = await runNvidiaSmi(['--query-compute-apps=pid,process_name,used_memory', '--format=csv,noheader,nounits'], host);
  return result.ok ? parseComputeApps(result.stdout) : undefined;
}
