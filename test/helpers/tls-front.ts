import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';

export interface TlsFront {
  port: number;
  /** The self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  close(): Promise<void>;
}

/** Whether the openssl command is there to make a certificate. */
export function canMakeCertificates(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * HTTPS in front of a plain-HTTP double: a TLS server with a fresh self-signed certificate for
 * `hostname` (made by openssl), passing the decrypted bytes to `targetPort` on loopback, as a
 * provider's HTTPS endpoint would look to a client that trusts the certificate.
 */
export async function startTlsFront(hostname: string, targetPort: number): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'lodestar-tls-'));
  const keyFile = join(dir, 'key.pem');
  const caFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '1', '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`], { stdio: 'ignore' });
  const sockets = new Set<{ destroy(): void }>();
  const server: Server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (secure) => {
    const plain = connect(targetPort, '127.0.0.1');
    sockets.add(secure);
    secure.once('close', () => sockets.delete(secure));
    secure.pipe(plain).pipe(secure);
    plain.on('error', () => secure.destroy());
    secure.on('error', () => plain.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    caFile,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
