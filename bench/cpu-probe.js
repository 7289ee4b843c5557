// A quick paired probe of CPU per request, for working on the daemon's hot path (not part of
// `npm run bench`): the fake upstream, the floor and Lodestar, interleaved rounds of autocannon at
// 16 connections, each process's utime+stime over its rounds divided by the requests it served.
//
//   node bench/cpu-probe.js [rounds] [seconds] [--prof]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from './gateway-measure.js';
import { makeTargets, sanitizedEnv, startBareProxy, startLodestar, startUpstream } from './gateway-targets.js';
import { cpuMs } from './lib/processes.js';

const rounds = Number(process.argv[2] ?? 4);
const seconds = Number(process.argv[3] ?? 4);
const work = mkdtempSync(join(tmpdir(), 'lodestar-cpu-probe-'));
const env = sanitizedEnv();
const result = {};
const upstream = await startUpstream({ env, work });
const lodestar = await startLodestar({ env, work, upstreamPort: upstream.port, result, cpuProf: process.argv.includes('--prof') });
const floor = await startBareProxy({ env, work, upstreamPort: upstream.port, nodeFlags: lodestar.nodeFlags });
const [, floorTarget, lodestarTarget] = makeTargets({ upstreamPort: upstream.port, floor, lodestar });
const sums = { floor: { cpu: 0, requests: 0 }, lodestar: { cpu: 0, requests: 0 } };
await load(floorTarget, 16, 1);
await load(lodestarTarget, 16, 1);
for (let round = 0; round < rounds; round++) {
  for (const [name, target, pid] of round % 2 ? [['lodestar', lodestarTarget, lodestar.pid], ['floor', floorTarget, floor.pid]] : [['floor', floorTarget, floor.pid], ['lodestar', lodestarTarget, lodestar.pid]]) {
    const before = cpuMs(pid);
    const run = await load(target, 16, seconds);
    sums[name].cpu += cpuMs(pid) - before;
    sums[name].requests += run.completed;
  }
}
const per = (name) => (sums[name].cpu * 1000) / sums[name].requests;
console.log(`floor ${per('floor').toFixed(0)} µs/request, lodestar ${per('lodestar').toFixed(0)} µs/request: ${(per('lodestar') / per('floor')).toFixed(2)}x`);
for (const stop of [lodestar.stop, floor.stop, upstream.stop]) await stop();
if (process.argv.includes('--prof')) console.log(`profile in ${lodestar.profileDir}`);
else rmSync(work, { recursive: true, force: true });
