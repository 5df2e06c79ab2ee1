// The --metrics HTTP endpoint: Node's own http server, GET /metrics in the Prometheus text
// format (prom-client's registry). A scrape renders the bounded metrics model and returns; the
// capture itself runs in its worker process, so a scrape never holds packets back in the kernel.

import { createServer, type Server } from 'node:http';
import { CarpdumpError, EXIT } from '../errors.js';
import type { MetricsAddress } from './options.js';
import type { CarpdumpMetrics } from './metrics.js';

export interface MetricsServer {
  /** "http://127.0.0.1:9720/metrics" with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

function hostInUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function startMetricsServer(address: MetricsAddress, metrics: CarpdumpMetrics): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('carpdump: metrics are at /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    metrics.exposition().then(
      (text) => { res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(req.method === 'HEAD' ? undefined : text); },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`carpdump: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
  });
  // A scraper that goes away mid-request must not end the run.
  server.on('clientError', (_err, socket) => socket.destroy());
  const shown = `${hostInUrl(address.host)}:${address.port}`;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'address already in use'
        : err.code === 'EACCES' ? 'permission denied'
          : err.code === 'EADDRNOTAVAIL' ? 'address not available on this host' : err.message;
      reject(new CarpdumpError(`--metrics ${shown}: cannot listen: ${why}`, EXIT.input));
    });
    server.listen({ host: address.host, port: address.port, ipv6Only: false }, () => {
      const bound = server.address();
      const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
      // Not keeping the process alive by itself: the capture (or the linger timer) does.
      server.unref();
      resolve({
        url: `http://${hostInUrl(address.host)}:${port}/metrics`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
