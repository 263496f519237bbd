import type { Server, ServerResponse } from 'node:http';
import { endpointUrl, startEndpoints, stopEndpoints } from '../test/support/servers';

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
  private servers: Server[] = [];
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
    this.servers = await startEndpoints(count, (i, _req, body, res) => {
      const at = Date.now();
      this.posts++;
      if (this.hanging.has(i)) {
        this.held.push(res);
        return;
      }
      const data = JSON.parse(body.toString('utf8'))['event-data'] as {
        id: string;
        'user-variables'?: { sent_at?: number };
      };
      if (!this.first.has(data.id)) {
        const post = { endpoint: i, eventId: data.id, sentAt: data['user-variables']?.sent_at ?? null, at };
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
    return this;
  }

  url(i: number): string {
    return endpointUrl(this.servers[i]);
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
    await stopEndpoints(this.servers);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
