// A pass-through HTTP proxy that counts the requests in flight to an upstream: how many are open
// now, the most at once, and how many the client side cut (the daemon aborting an upstream
// request shows here as the connection closed before the answer ended).
import http from 'node:http';

export async function startCountingProxy(upstreamPort, pathPattern = /./) {
  const stats = { open: 0, maxOpen: 0, started: 0, finished: 0, cut: 0 };
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((incoming, outgoing) => {
    const counted = pathPattern.test(incoming.url ?? '');
    let done = false;
    const finish = (how) => {
      if (done) return;
      done = true;
      if (!counted) return;
      stats.open--;
      stats[how]++;
    };
    if (counted) {
      stats.open++;
      stats.started++;
      stats.maxOpen = Math.max(stats.maxOpen, stats.open);
    }
    const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, path: incoming.url, method: incoming.method, headers: incoming.headers, agent }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
      answer.on('end', () => finish('finished'));
    });
    upstream.on('error', () => {
      finish('cut');
      outgoing.destroy();
    });
    outgoing.on('close', () => {
      if (!done) {
        finish('cut');
        upstream.destroy();
      }
    });
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    stats,
    close: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}
