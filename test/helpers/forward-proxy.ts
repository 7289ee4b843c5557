import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

/**
 * What the proxy was asked for: the absolute URL of a plain-HTTP request, or `host:port` of a
 * CONNECT tunnel (HTTPS), and its auth header.
 */
export interface ProxiedRequest {
  method: string;
  url: string;
  proxyAuthorization: string | undefined;
}

export interface ForwardProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP forward proxy on loopback, as a corporate proxy is to its clients: it takes requests in
 * absolute form (`POST http://host/path`), and forwards each to the port `routes` gives its host
 * (so tests can use names that no DNS knows), streaming the answer back. A host it has no route
 * for gets 502, as a proxy that can't resolve it would answer. For HTTPS it opens CONNECT tunnels
 * the same way (`routes` keyed by `host:port`), seeing only encrypted bytes.
 */
export async function startForwardProxy(routes: Record<string, number>): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    const header = incoming.headers['proxy-authorization'];
    requests.push({ method: incoming.method ?? 'GET', url: incoming.url ?? '', proxyAuthorization: Array.isArray(header) ? header[0] : header });
    let target: URL;
    try {
      target = new URL(incoming.url ?? '');
    } catch {
      outgoing.writeHead(400).end('a proxy needs an absolute URL');
      return;
    }
    const port = routes[target.host];
    if (port === undefined) {
      outgoing.writeHead(502).end(`no route to ${target.host}`);
      return;
    }
    const headers = { ...incoming.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest({ host: '127.0.0.1', port, method: incoming.method, path: target.pathname + target.search, headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  server.on('connect', (incoming, client, head) => {
    const header = incoming.headers['proxy-authorization'];
    requests.push({ method: 'CONNECT', url: incoming.url ?? '', proxyAuthorization: Array.isArray(header) ? header[0] : header });
    const port = routes[incoming.url ?? ''];
    if (port === undefined) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    const tunnel = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) tunnel.write(head);
      tunnel.pipe(client);
      client.pipe(tunnel);
    });
    tunnel.on('error', () => client.destroy());
    client.on('error', () => tunnel.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
