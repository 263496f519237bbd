import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Post {
  endpoint: number;
  eventId: string;
  sentAt: number | null;
  at: number;
}

/**
 * N receiving endpoints, each its own HTTP server (its own origin, so its own connection pool and
 * per-endpoint cap in Hookpost). Records the first POST of each event; an endpoint can be made to hang.
 */
export class BenchEndpoints {
  private readonly servers: Server[] = [];
  private readonly hanging = new Set<number>();
  /** Endpoints that answer 500 to the first POST of each event and 200 to the next (a retry). */
  readonly failFirst = new Set<number>();
  /** When the second POST (the retry) of an event arrived. */
  readonly retried = new Map<string, number>();
  private readonly held: ServerResponse[] = [];
  readonly first = new Map<string, Post>();
  posts = 0;
  onPost: (post: Post) => void = () => undefined;

  async start(count: number): Promise<this> {
    for (let i = 0; i < count; i++) {
      const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const at = Date.now();
          this.posts++;
          if (this.hanging.has(i)) {
            this.held.push(res);
            return;
          }
          const data = JSON.parse(Buffer.concat(chunks).toString('utf8'))['event-data'] as {
            id: string;
            'user-variables'?: { sent_at?: number };
          };
          if (!this.first.has(data.id)) {
            const post = {
              endpoint: i,
              eventId: data.id,
              sentAt: data['user-variables']?.sent_at ?? null,
              at,
            };
            this.first.set(data.id, post);
            this.onPost(post);
            if (this.failFirst.has(i)) {
              res.writeHead(500).end('try again');
              return;
            }
          } else if (this.failFirst.has(i) && !this.retried.has(data.id)) {
            this.retried.set(data.id, at);
          }
          res.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      this.servers.push(server);
    }
    return this;
  }

  url(i: number): string {
    return `http://127.0.0.1:${(this.servers[i].address() as AddressInfo).port}/hook`;
  }

  hang(i: number): void {
    this.hanging.add(i);
  }

  /** Stops hanging: answers every held request with 503 (they are retried later, as a real outage ends). */
  release(): void {
    this.hanging.clear();
    for (const res of this.held.splice(0)) if (!res.writableEnded) res.writeHead(503).end('recovered');
  }

  async stop(): Promise<void> {
    this.release();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
