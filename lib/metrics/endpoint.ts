// The Prometheus endpoint: GET /metrics on metrics-bind:metrics-port (off while the port is 0).
// Started with the server, moved by CONFIG SET metrics-port / metrics-bind, closed on shutdown.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '../server.js';
import { logger } from '../log.js';
import { MetricSeries } from './series.js';

const log = logger('metrics');

export class MetricsEndpoint {
  private http: http.Server | null = null;
  private series: MetricSeries | null = null;
  /** The port listened on (the actual one when metrics-port asked for any), 0 when off. */
  port = 0;
  /** Changes of the directives apply one after the other. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly server: Server) {}

  /** Listens when metrics-port is set; a port that cannot be bound at startup is an error. */
  async start(): Promise<void> {
    await this.open();
    this.server.config.on('change', (name: string) => {
      if (name !== 'metrics-port' && name !== 'metrics-bind') return;
      this.chain = this.chain.then(async () => {
        await this.stop();
        await this.open().catch((err: unknown) => log.error({ err }, 'could not start the metrics endpoint'));
      });
    });
  }

  private async open(): Promise<void> {
    const port = this.server.config.num('metrics-port');
    if (port === 0) return;
    const host = this.server.config.str('metrics-bind');
    this.series ??= new MetricSeries(this.server);
    const srv = http.createServer((req, res) => this.serve(req, res));
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ port, host }, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    srv.on('error', (err) => log.error({ err }, 'metrics endpoint error'));
    this.http = srv;
    this.port = (srv.address() as AddressInfo).port;
    log.info({ host, port: this.port }, 'metrics endpoint listening');
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = (req.url ?? '/').split('?')[0];
    if (url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('respdb serves /metrics\n');
      return;
    }
    const series = this.series!;
    series.text().then(
      (body) => {
        res.writeHead(200, { 'content-type': series.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        log.error({ err }, 'could not collect the metrics');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('could not collect the metrics\n');
      },
    );
  }

  private async stop(): Promise<void> {
    const srv = this.http;
    if (!srv) return;
    this.http = null;
    this.port = 0;
    await new Promise<void>((resolve) => {
      srv.close(() => resolve());
      srv.closeAllConnections();
    });
  }

  async close(): Promise<void> {
    await this.chain;
    await this.stop();
  }
}
