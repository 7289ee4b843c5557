// The team server's memory over a long paced load: a fresh instance, `soakWorkers` clients on
// keep-alive connections (one user each) paced to `soakPerSecond` requests a second in all, its
// RSS read every `soakSampleSeconds`; the live V8 heap after a forced full GC before the load and
// after it (the bench's child guard, on SIGUSR2); and every answered request in the ledger.
import { Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { chatBody, postJson } from './lib/http-client.js';
import { rssMiB } from './lib/processes.js';

/**
 * Flat: after the warm-up, RSS ends at most `mib` above where it was (the daemon's soak, issue
 * 12, allows the same 5 MiB), and its trend (least squares over every sample, so that one sample
 * caught before a collection weighs little) rises at most `slopeMiBPerMinute`: a leak shows
 * as a steady slope, V8's heap as a sawtooth around a level.
 */
export const FLAT = { mib: 5, slopeMiBPerMinute: 0.5 };

export async function measureSoak({ server, users, memfile, plan, log }) {
  const seconds = plan.soakSeconds;
  // Past the warm-up (JIT, pools, buffers reaching their size): 2 minutes, or a fifth of a shorter soak.
  const warmupSeconds = Math.min(120, seconds / 5);
  const body = Buffer.from(JSON.stringify(chatBody('openai/gpt-4o-mini', false)));
  const agent = new Agent({ keepAlive: true, maxSockets: plan.soakWorkers });
  const liveHeaps = [];
  liveHeaps.push(await liveHeapMiB(server.pid, memfile, 0));
  await delay(1000);
  const idleMiB = rssMiB(server.pid);
  log(`soak: ${seconds} s at ~${plan.soakPerSecond} req/s from ${plan.soakWorkers} clients; RSS every ${plan.soakSampleSeconds} s; idle RSS ${idleMiB.toFixed(1)} MiB`);

  const statuses = {};
  let sent = 0;
  const samples = [];
  const started = performance.now();
  const endAt = started + seconds * 1000;
  const interval = (1000 * plan.soakWorkers) / plan.soakPerSecond;
  const worker = async (user) => {
    while (performance.now() < endAt) {
      const began = performance.now();
      sent++;
      const status = await send(server.port, agent, user.key, body).catch(() => 'client error');
      statuses[status] = (statuses[status] ?? 0) + 1;
      const wait = interval - (performance.now() - began);
      if (wait > 0) await delay(wait);
    }
  };
  const sample = () => {
    const at = (performance.now() - started) / 1000;
    samples.push({ at, rssMiB: rssMiB(server.pid), requests: sent });
  };
  sample();
  let nextLog = 60;
  const sampler = setInterval(() => {
    sample();
    const last = samples.at(-1);
    if (last.at >= nextLog - 0.5) {
      nextLog += 60;
      log(`  ${Math.round(last.at)} s: RSS ${last.rssMiB.toFixed(1)} MiB, ${last.requests.toLocaleString('en-US')} requests`);
    }
  }, plan.soakSampleSeconds * 1000);
  await Promise.all(users.slice(0, plan.soakWorkers).map(worker));
  clearInterval(sampler);
  sample();
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  liveHeaps.push(await liveHeapMiB(server.pid, memfile, 1));

  const after = samples.filter((entry) => entry.at >= warmupSeconds - 0.5);
  const atWarmup = after[0];
  const values = samples.map((entry) => entry.rssMiB);
  const result = {
    seconds: elapsed,
    warmupSeconds,
    requests: sent,
    perSecond: sent / elapsed,
    statuses,
    answered: Object.entries(statuses).filter(([status]) => status !== 'client error').reduce((sum, [, count]) => sum + count, 0),
    idleMiB,
    samples,
    startMiB: samples[0].rssMiB,
    endMiB: samples.at(-1).rssMiB,
    maxMiB: Math.max(...values),
    atWarmupMiB: atWarmup.rssMiB,
    growthAfterWarmupMiB: samples.at(-1).rssMiB - atWarmup.rssMiB,
    maxAboveWarmupMiB: Math.max(...after.map((entry) => entry.rssMiB)) - atWarmup.rssMiB,
    slopeMiBPerMinute: slope(samples) * 60,
    slopeAfterWarmupMiBPerMinute: slope(after) * 60,
    liveHeapMiB: { before: liveHeaps[0], after: liveHeaps[1] },
  };
  result.flat = result.growthAfterWarmupMiB <= FLAT.mib && result.slopeAfterWarmupMiBPerMinute <= FLAT.slopeMiBPerMinute;
  log(`  RSS start ${result.startMiB.toFixed(1)}, at ${Math.round(warmupSeconds)} s ${result.atWarmupMiB.toFixed(1)}, end ${result.endMiB.toFixed(1)}, max ${result.maxMiB.toFixed(1)} MiB; end minus the warm-up's end ${result.growthAfterWarmupMiB.toFixed(1)} MiB, slope ${result.slopeAfterWarmupMiBPerMinute.toFixed(2)} MiB/min`);
  return result;
}

/** Least-squares slope of RSS over time, MiB a second. */
function slope(samples) {
  const n = samples.length;
  if (n < 2) return 0;
  const meanX = samples.reduce((sum, entry) => sum + entry.at, 0) / n;
  const meanY = samples.reduce((sum, entry) => sum + entry.rssMiB, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const entry of samples) {
    numerator += (entry.at - meanX) * (entry.rssMiB - meanY);
    denominator += (entry.at - meanX) ** 2;
  }
  return denominator ? numerator / denominator : 0;
}

/** The rows of these users in the ledger, and their distinct ids (once the server has stopped, its ledger flushed). */
export async function ledgerRowsOf(databaseUrl, userIds) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM ledger_events WHERE user_id = ANY($1::uuid[])', [userIds]);
    return rows[0];
  } finally {
    await client.end();
  }
}

/**
 * Asks the server's child guard (LODESTAR_BENCH_MEMFILE) for a full GC and a record of what is
 * live; resolves to the V8 heap in use after it (MiB), once its `index`-th line is written.
 */
async function liveHeapMiB(pid, memfile, index) {
  try {
    process.kill(pid, 'SIGUSR2');
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 50; attempt++) {
    await delay(100);
    try {
      const lines = readFileSync(`${memfile}.${pid}.gc.jsonl`, 'utf8').split('\n').filter(Boolean);
      if (lines.length > index) return JSON.parse(lines[index]).heapUsed / 1048576;
    } catch {
      // not written yet
    }
  }
  return undefined;
}

function send(port, agent, key, body) {
  return postJson(port, '/v1/chat/completions', agent, { authorization: `Bearer ${key}` }, body);
}
