import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './processes';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A real HTTP endpoint on loopback that records what it receives; `respond` picks the status. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private server: Server | null = null;
  respond: (req: ReceivedRequest) => number = () => 200;
  replyBody: (req: ReceivedRequest) => string = () => 'ok';
  /** How long each answer takes (a slow endpoint). */
  delayMs = 0;

  private host = '127.0.0.1';

  /** Listens on a free port of `host` (any loopback address works on Linux: 127.0.0.2 too). */
  async start(host = '127.0.0.1'): Promise<this> {
    this.host = host;
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.requests.push(received);
        const answer = () =>
          res
            .writeHead(this.respond(received), { 'content-type': 'text/plain' })
            .end(this.replyBody(received));
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, host, resolve));
    return this;
  }

  url(path: string): string {
    return `http://${this.host}:${(this.server?.address() as AddressInfo).port}${path}`;
  }

  received(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  waitFor(path: string, count: number, timeoutMs = 30_000): Promise<ReceivedRequest[]> {
    return waitFor(
      () => {
        const got = this.received(path);
        return got.length >= count ? got : undefined;
      },
      timeoutMs,
      `${count} request(s) on ${path}`,
      20,
    );
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
