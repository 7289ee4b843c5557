// Preloaded (`node --import`) into the processes the bench starts: the fake upstream, the bare
// proxy, the Portkey gateway and the Lodestar daemon. It changes nothing they compute:
// - LODESTAR_BENCH_PARENT=<pid>: exit when that process (the bench) is gone, even if it was
//   killed with SIGKILL and could not clean up. SIGTERM first (graceful), then a hard exit.
// - LODESTAR_BENCH_LOOPBACK=1: a server that would listen on every interface listens on
//   127.0.0.1 instead (Portkey's node server binds all interfaces and has no host flag).
// - LODESTAR_BENCH_MEMFILE=<path> (diagnostic runs only, `--cpu-prof`): every 250 ms, write
//   process.memoryUsage() at the highest RSS seen so far, and the latest, to <path>.<pid>.json;
//   on SIGUSR2, run a full garbage collection and append memoryUsage() after it to
//   <path>.<pid>.gc.jsonl (what is still live, as opposed to garbage not yet collected).
import { appendFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const parent = Number(process.env.LODESTAR_BENCH_PARENT);
if (parent > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(timer);
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => process.exit(1), 3000).unref();
    }
  }, 500);
  timer.unref();
}

if (process.env.LODESTAR_BENCH_LOOPBACK === '1') {
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function (...args) {
    const [first, second] = args;
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      if (second === undefined || second === null || second === '' || second === '0.0.0.0' || second === '::') args[1] = '127.0.0.1';
      else if (typeof second === 'function') args.splice(1, 0, '127.0.0.1');
    } else if (first && typeof first === 'object' && first.path === undefined && !first.host) {
      args[0] = { ...first, host: '127.0.0.1' };
    }
    return listen.apply(this, args);
  };
}

const memFile = process.env.LODESTAR_BENCH_MEMFILE;
if (memFile) {
  let peak;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    if (!peak || now.rss > peak.rss) peak = now;
    try {
      writeFileSync(`${memFile}.${process.pid}.json`, JSON.stringify({ peak, last: now }));
    } catch {
      // the bench's temp dir is gone: nothing to report to
    }
  }, 250);
  timer.unref();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    try {
      appendFileSync(`${memFile}.${process.pid}.gc.jsonl`, `${JSON.stringify(process.memoryUsage())}\n`);
    } catch {
      // nothing to report to
    }
  });
}
