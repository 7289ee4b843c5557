// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function and per area, and
// renders that summary for the terminal.
import { readFileSync } from 'node:fs';
import { fixed, textTable } from './markdown.js';

/**
 * `window` ({ fromUs, toUs }, monotonic microseconds as process.hrtime.bigint() / 1000n gives
 * them, the clock V8 stamps samples with on Linux): only the samples taken in it, so that a
 * process's start-up is left out of what a load cost.
 */
export function summarizeCpuProfile(path, { top = 25, root, window } = {}) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  let at = profile.startTime ?? 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index];
    at += deltas[index] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    // timeDeltas[i] is the time before sample i; the sample stands for the interval after it.
    const next = deltas[index + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, next));
  }
  const totalUs = [...selfUs.values()].reduce((sum, value) => sum + value, 0);

  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const byFunction = new Map();
  const byArea = new Map();
  const byKind = new Map();
  const byOwner = new Map();
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    if (!node) continue;
    const owner = ownerOf(node, nodes, parents);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us);
    const frame = node.callFrame;
    const where = shortUrl(frame.url, root);
    const name = frame.functionName || '(anonymous)';
    const key = where ? `${name} ${where}:${frame.lineNumber + 1}` : name;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const area = areaOf(frame, name);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const kind = kindOf(frame, name);
    byKind.set(kind, (byKind.get(kind) ?? 0) + us);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([name, us]) => ({ name, ms: us / 1000, share: totalUs ? us / totalUs : 0 }));
  return { totalMs: totalUs / 1000, functions: rank(byFunction).slice(0, top), areas: rank(byArea), kinds: rank(byKind), owners: rank(byOwner) };
}

/**
 * Whose work a sample is: the area of the nearest frame, itself or up its stack, that is
 * Lodestar's (dist/src) or an npm package's, so that Node's internals and native calls (a socket
 * write, a JSON.stringify) count for the module that asked for them. Samples with no such
 * frame are Node's own (the HTTP server parsing a request, timers, the GC, idle).
 */
function ownerOf(node, nodes, parents) {
  for (let at = node; at; at = nodes.get(parents.get(at.id))) {
    const url = at.callFrame.url ?? '';
    if (url.includes('/dist/src/') || url.includes('node_modules/')) return areaOf(at.callFrame, at.callFrame.functionName || '(anonymous)');
  }
  const name = node.callFrame.functionName;
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collector';
  return "Node's own (no Lodestar or npm frame on the stack)";
}

function shortUrl(url, root) {
  if (!url) return '';
  let text = url.replace(/^file:\/\//, '');
  if (root && text.startsWith(root)) text = text.slice(root.length).replace(/^\//, '');
  return text.replace(/^.*node_modules\//, 'node_modules/');
}

function areaOf(frame, name) {
  const url = frame.url ?? '';
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(program)') return 'V8/native (program)';
  if (url.includes('/dist/src/')) return `lodestar ${url.slice(url.indexOf('/dist/src/') + 10).split('/').slice(0, 2).join('/')}`;
  if (url.includes('node_modules/')) return `npm ${url.split('node_modules/').pop().split('/')[0]}`;
  if (url.startsWith('node:internal/deps/undici')) return 'node built-in undici';
  if (url.startsWith('node:internal/http') || url.startsWith('node:_http') || url === 'node:http') return 'node http (server and client)';
  if (url.startsWith('node:internal/streams') || url.startsWith('node:stream')) return 'node streams';
  if (url.startsWith('node:internal/fs') || url.startsWith('node:fs')) return 'node fs';
  if (url.startsWith('node:net') || url.startsWith('node:internal/net') || url.includes('stream_base_commons')) return 'node net/sockets';
  if (url.startsWith('node:')) return `node other (${url.replace(/^node:(internal\/)?/, '').split('/')[0]})`;
  if (!url) return `native/builtin (${name})`;
  return url;
}

const SOCKET_WRITES = new Set(['writeUtf8String', 'writev', 'writeBuffer', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String']);

/** Coarse buckets: whose code the time is in. */
function kindOf(frame, name) {
  const url = frame.url ?? '';
  if (name === '(idle)') return 'idle';
  if (name === '(garbage collector)') return 'garbage collector';
  if (!url && SOCKET_WRITES.has(name)) return 'socket writes (the send syscalls, loopback receive path included)';
  if (url.includes('/dist/src/')) return "Lodestar's own code (dist/src)";
  if (url.includes('node_modules/')) return 'other npm packages';
  if (url.startsWith('node:')) return "Node's JavaScript (http server and client, streams, events, timers)";
  if (name === '(program)') return 'V8 and native (program)';
  return 'other native and builtins';
}

/** The summary (plus the daemon's memory, when the bench recorded it) as terminal text. */
export function renderProfileText(profile) {
  if (profile.error) return `CPU profile: ${profile.error}`;
  const mib = (bytes) => `${fixed(bytes / 1048576, 1)} MiB`;
  const memory = profile.memory
    ? ['peak', 'last'].map((which) => {
        const m = profile.memory[which];
        return `daemon memory at ${which === 'peak' ? 'its highest RSS' : 'the end'}: rss ${mib(m.rss)}, V8 heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)} (array buffers ${mib(m.arrayBuffers)})`;
      })
    : [];
  if (profile.liveHeap?.length === 2) {
    const [before, after] = profile.liveHeap;
    memory.push(`daemon live V8 heap after a forced full GC: ${mib(before.heapUsed)} before any load, ${mib(after.heapUsed)} after all load (rss ${mib(before.rss)} -> ${mib(after.rss)})`);
  }
  const busy = profile.areas.filter((area) => area.name !== 'idle');
  const busyMs = busy.reduce((sum, area) => sum + area.ms, 0);
  const share = (ms) => `${fixed((ms / busyMs) * 100, 1)}%`;
  const align = ['left', 'right', 'right'];
  return [
    `CPU profile of the daemon (${profile.path}): ${fixed(busyMs, 0)} ms busy of ${fixed(profile.totalMs, 0)} ms sampled`,
    ...memory,
    textTable(['whose code', 'self ms', 'share of busy'], profile.kinds.filter((kind) => kind.name !== 'idle').map((kind) => [kind.name, fixed(kind.ms, 0), share(kind.ms)]), align),
    '',
    textTable(['area', 'self ms', 'share of busy'], busy.slice(0, 20).map((area) => [area.name, fixed(area.ms, 0), share(area.ms)]), align),
    '',
    textTable(
      ['function (self time)', 'self ms', 'share of busy'],
      profile.functions.filter((entry) => entry.name !== '(idle)').map((entry) => [entry.name.slice(0, 110), fixed(entry.ms, 0), share(entry.ms)]),
      align,
    ),
  ].join('\n');
}
