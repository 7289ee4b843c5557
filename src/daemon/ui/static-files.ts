import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where `npm run build` puts the web UI (scripts/build-web.mjs): dist/web, beside dist/src. */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer | undefined;
  etag: string;
}

/**
 * The UI's files, read once on the first page load (the daemon pays nothing for them until a
 * browser asks) and kept with a gzipped copy. Only files of the build's own folder, by exact
 * name: no path from a request ever reaches the filesystem.
 */
export class StaticFiles {
  private readonly root: string;
  private assets: Map<string, Asset> | undefined;

  constructor(root = WEB_ROOT) {
    this.root = root;
  }

  /** Whether the UI was built (dist/web/index.html exists). */
  built(): boolean {
    try {
      return statSync(join(this.root, 'index.html')).isFile();
    } catch {
      return false;
    }
  }

  /** Answers a GET for a file of the UI; false when there is no such file. */
  serve(request: IncomingMessage, response: ServerResponse, path: string, headers: Record<string, string>): boolean {
    const asset = this.load().get(path === '/' ? '/index.html' : path);
    if (!asset) return false;
    const common = { ...headers, 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
    if (request.headers['if-none-match'] === asset.etag) {
      response.writeHead(304, common);
      response.end();
      return true;
    }
    const gzip = asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    const body = gzip ? (asset.gzip as Buffer) : asset.body;
    response.writeHead(200, { ...common, 'content-length': String(body.length), ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    response.end(request.method === 'HEAD' ? undefined : body);
    return true;
  }

  private load(): Map<string, Asset> {
    if (this.assets) return this.assets;
    const assets = new Map<string, Asset>();
    let names: string[] = [];
    try {
      names = readdirSync(this.root);
    } catch {
      // not built: every path is unknown, and the server says how to build it
    }
    for (const name of names) {
      const type = TYPES[extname(name)];
      if (!type) continue;
      const body = readFileSync(join(this.root, name));
      const compressible = !type.startsWith('image/png') && !type.startsWith('font/');
      assets.set(`/${name}`, { type, body, gzip: compressible ? gzipSync(body, { level: 9 }) : undefined, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
    }
    this.assets = assets;
    return assets;
  }
}
