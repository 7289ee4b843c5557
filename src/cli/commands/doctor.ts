import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { CATALOG, modelId } from '../../router/catalog.js';
import { shippedQuality } from '../../router/quality-evidence.js';
import { againstFloor } from '../../router/rank.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../../shared/provider-ids.js';
import { REQUIRED_NODE } from '../../shared/package-info.js';
import { findOnPath } from '../../shared/which.js';
import type { CliContext } from '../context.js';
import { findDaemon, portInUse } from '../daemon-control.js';
import { getJson } from '../http-json.js';
import { renderTable } from '../output/table.js';

export interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** How to fix it; present whenever status is not ok. */
  fix?: string;
}

export function registerDoctor(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('check Node, Ollama, nvidia-smi, provider keys, Aider and the port, and say how to fix each')
    .option('--json', 'print JSON only')
    .action(async (options: { json?: boolean }) => {
      const checks = await runChecks(context.config(), context.env);
      const failed = checks.some((check) => check.status === 'fail');
      if (options.json) {
        context.output.json({ ok: !failed, checks });
      } else {
        const icon = { ok: 'ok', warn: 'warn', fail: 'FAIL' } as const;
        context.output.line(
          renderTable(
            [{ header: '' }, { header: 'check' }, { header: 'finding', flexible: true }],
            checks.map((check) => [icon[check.status], check.name, check.detail]),
            context.output.columns,
          ),
        );
        const fixes = checks.filter((check) => check.fix);
        if (fixes.length) {
          context.output.line();
          context.output.line('To fix:');
          for (const check of fixes) context.output.line(`  ${check.name}: ${check.fix}`);
        }
      }
      context.exitCode = failed ? 1 : 0;
    });
}

export async function runChecks(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<Check[]> {
  const [ollama, gpu, port] = await Promise.all([checkOllama(loaded), checkNvidiaSmi(env), checkPort(loaded)]);
  const proxy = checkProxy(env);
  return [checkNode(), checkHome(loaded), checkConfig(loaded), port, ollama, gpu, checkKeys(loaded), checkEvidence(loaded), ...(proxy ? [proxy] : []), checkAider(env)];
}

function checkNode(): Check {
  const required = REQUIRED_NODE.replace(/^>=/, '');
  const ok = compareVersions(process.versions.node, required) >= 0;
  const major = Number(process.versions.node.split('.')[0]);
  if (!ok) {
    return {
      name: 'node',
      status: 'fail',
      detail: `Node.js ${process.version}; Lodestar needs ${REQUIRED_NODE}`,
      fix: 'Install the current Node.js LTS (24) from https://nodejs.org, or use the one `npm install` put in node_modules/.bin (npx lodestar ...).',
    };
  }
  return { name: 'node', status: 'ok', detail: `Node.js ${process.version}${major >= 24 ? '' : ' (works; 24 is the current LTS)'}` };
}

function checkHome(loaded: LoadedConfig): Check {
  const { home, token } = loaded.paths;
  try {
    accessSync(home, constants.W_OK);
  } catch {
    try {
      statSync(home);
      return { name: 'state folder', status: 'fail', detail: `${home} is not writable`, fix: `Make it yours: chmod u+w ${home}, or set LODESTAR_HOME to a folder you own.` };
    } catch {
      return { name: 'state folder', status: 'ok', detail: `${home} (made at first start)` };
    }
  }
  try {
    const mode = statSync(token).mode & 0o777;
    if (mode & 0o077) {
      return { name: 'state folder', status: 'warn', detail: `${token} is readable by others (mode ${mode.toString(8)})`, fix: `chmod 600 ${token}` };
    }
  } catch {
    // no token yet: made at first start
  }
  return { name: 'state folder', status: 'ok', detail: home };
}

function checkConfig(loaded: LoadedConfig): Check {
  const files = [loaded.globalFile, loaded.projectFile].filter(Boolean);
  if (loaded.globalFile) {
    const mode = statSync(loaded.globalFile).mode & 0o777;
    if ((mode & 0o077) !== 0 && /"apiKey"/.test(readFileSync(loaded.globalFile, 'utf8'))) {
      return {
        name: 'config',
        status: 'warn',
        detail: `${loaded.globalFile} holds API keys and is readable by others (mode ${mode.toString(8)})`,
        fix: `chmod 600 ${loaded.globalFile}`,
      };
    }
  }
  return { name: 'config', status: 'ok', detail: files.length ? `valid: ${files.join(', ')}` : 'defaults (no config.json, no .lodestarrc)' };
}

async function checkPort(loaded: LoadedConfig): Promise<Check> {
  const { port } = loaded.config;
  const daemon = findDaemon(loaded.paths);
  if (daemon.kind === 'alive') {
    return { name: 'port', status: 'ok', detail: `the daemon runs on ${daemon.state.url} (pid ${daemon.state.pid})` };
  }
  if (await portInUse(port)) {
    return {
      name: 'port',
      status: 'fail',
      detail: `port ${port} on 127.0.0.1 is in use by another program`,
      fix: `Stop that program, or pick another port: LODESTAR_PORT=${port + 1}, or "port" in $LODESTAR_HOME/config.json.`,
    };
  }
  return { name: 'port', status: 'ok', detail: `port ${port} on 127.0.0.1 is free` };
}

async function checkOllama(loaded: LoadedConfig): Promise<Check> {
  const { baseUrl, enabled } = loaded.config.providers.ollama;
  if (!enabled) return { name: 'ollama', status: 'ok', detail: 'disabled in config (providers.ollama.enabled)' };
  const answer = await getJson(`${baseUrl}/api/version`, 1500);
  if (answer.ok) {
    const version = typeof answer.body === 'object' && answer.body && 'version' in answer.body ? String(answer.body.version) : 'unknown';
    return { name: 'ollama', status: 'ok', detail: `Ollama ${version} answers at ${baseUrl}` };
  }
  return {
    name: 'ollama',
    status: 'warn',
    detail: `no answer at ${baseUrl} (${answer.error}): local models are unavailable`,
    fix: 'Install Ollama (https://ollama.com/download) and run `ollama serve`, or point OLLAMA_HOST at your Ollama; `lodestar demo` works without it.',
  };
}

function checkNvidiaSmi(env: NodeJS.ProcessEnv): Promise<Check> {
  const binary = findOnPath('nvidia-smi', env);
  if (!binary) {
    return Promise.resolve({
      name: 'nvidia-smi',
      status: 'warn',
      detail: 'not found on PATH: no GPU figures, local models may run on the CPU',
      fix: 'Install the NVIDIA driver (it brings nvidia-smi); without a GPU, Lodestar still routes to cloud models.',
    });
  }
  return new Promise((resolve) => {
    execFile(binary, ['--query-gpu=name,memory.total', '--format=csv,noheader,nounits'], { timeout: 5000, env }, (error, stdout) => {
      if (error) {
        const code = typeof error.code === 'number' ? error.code : undefined;
        resolve({
          name: 'nvidia-smi',
          status: 'warn',
          detail: `${binary} failed${code !== undefined ? ` (exit ${code})` : ''}: ${firstLine(stdout) || error.message}`,
          fix: code === 9 ? 'The NVIDIA driver is not loaded: reinstall it or reboot.' : 'Run nvidia-smi yourself to see what the driver says.',
        });
        return;
      }
      const gpus = stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [name, memory] = line.split(/,\s*/);
          return memory && !memory.startsWith('[') ? `${name} (${memory} MiB)` : `${name}`;
        });
      resolve({ name: 'nvidia-smi', status: 'ok', detail: gpus.join(', ') || 'no GPU listed' });
    });
  });
}

function checkKeys(loaded: LoadedConfig): Check {
  const set = PROVIDER_IDS.filter((id) => PROVIDERS[id].apiKeyEnv && loaded.config.providers[id].apiKey).map((id) => PROVIDERS[id].apiKeyEnv);
  if (set.length) return { name: 'provider keys', status: 'ok', detail: `set: ${set.join(', ')}` };
  return {
    name: 'provider keys',
    status: 'warn',
    detail: 'none set: only local models can serve',
    fix: 'Set at least one, e.g. export DEEPSEEK_API_KEY=... or ANTHROPIC_API_KEY=... (or "apiKey" under providers in $LODESTAR_HOME/config.json).',
  };
}

/**
 * The paid models available (their key is set) that no evidence covers: no Aider measurement,
 * lineage rule, calibration or config score. Where a floor applies the router uses them only by
 * their tier; a warning when that is what edits would get.
 */
export function checkEvidence(loaded: LoadedConfig): Check {
  const { config } = loaded;
  const configured = new Set(PROVIDER_IDS.filter((id) => id !== 'ollama' && config.providers[id].enabled && config.providers[id].apiKey));
  const ids = [...new Set([...CATALOG.filter((entry) => configured.has(entry.provider)).map((entry) => modelId(entry.provider, entry.model)), ...Object.keys(config.models).filter((id) => configured.has(id.split('/')[0] as ProviderId))])];
  // As the router sees it: the user's score, else the shipped evidence (a calibrated score at 75% confidence).
  const quality = (id: string): number | undefined => {
    const own = config.models[id];
    if (own?.quality !== undefined) return own.quality;
    const shipped = shippedQuality(own?.sameAs ?? id, config.quality);
    return shipped && againstFloor(shipped.value, shipped.error);
  };
  const lacking = ids.filter((id) => quality(id) === undefined);
  const editFloor = config.routing.floors.edit;
  const adequate = ids.filter((id) => (quality(id) ?? -1) >= editFloor);
  if (!configured.size) return { name: 'model quality', status: 'ok', detail: 'no paid provider configured; local models serve tasks without a floor, and the rest by tier' };
  const missing = lacking.length ? `no quality evidence for ${lacking.join(', ')} (used by tier where a floor applies)` : 'every available paid model has quality evidence';
  if (!adequate.length && editFloor > 0) {
    return {
      name: 'model quality',
      status: 'warn',
      detail: `no available model is known to meet the edit floor of ${editFloor}%: edits go to a model chosen by tier; ${missing}`,
      fix: 'Add a provider whose models meet it (lodestar models recommend --task edit lists them), or give a model a score or rule under "models" in config.json.',
    };
  }
  return { name: 'model quality', status: 'ok', detail: `${adequate.length} available model(s) meet the edit floor of ${editFloor}%; ${missing}` };
}

/**
 * A proxy from the environment (HTTPS_PROXY, HTTP_PROXY, either case): shown without its
 * credentials; Node's own proxy support, which the daemon uses, came in Node 22.21 and 24.5.
 */
export function checkProxy(env: NodeJS.ProcessEnv, nodeVersion = process.versions.node): Check | undefined {
  const https = (env.https_proxy ?? env.HTTPS_PROXY)?.trim();
  const http = (env.http_proxy ?? env.HTTP_PROXY)?.trim();
  if (!https && !http) return undefined;
  const shown: string[] = [];
  for (const [name, value] of [['HTTPS_PROXY', https], ['HTTP_PROXY', http]] as const) {
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { name: 'proxy', status: 'warn', detail: `${name} is not a URL`, fix: `Set it as http://host:port (or http://user:password@host:port), e.g. export ${name}=http://proxy.example:3128` };
    }
    shown.push(`${name} ${url.protocol}//${url.host}`);
  }
  const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
  if (!(major > 24 || (major === 24 && minor >= 5) || (major === 22 && minor >= 21))) {
    return { name: 'proxy', status: 'warn', detail: `${shown.join(', ')} set, but Node ${nodeVersion} can't send requests through a proxy`, fix: 'Run Lodestar on Node 24.5 or newer (npx lodestar uses the Node 24 that npm install brought), or 22.21 or newer.' };
  }
  const bypass = (env.no_proxy ?? env.NO_PROXY)?.trim();
  return { name: 'proxy', status: 'ok', detail: `${shown.join(', ')} for cloud providers; Ollama on this machine directly${bypass ? `; NO_PROXY ${bypass}` : ''}` };
}

function checkAider(env: NodeJS.ProcessEnv): Check {
  const aider = findOnPath('aider', env);
  if (aider) return { name: 'aider', status: 'ok', detail: aider };
  return {
    name: 'aider',
    status: 'warn',
    detail: 'not found on PATH',
    fix: 'python -m pip install aider-install && aider-install (or pass lodestar aider --aider-bin PATH).',
  };
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim())?.trim() ?? '';
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference) return difference;
  }
  return 0;
}
