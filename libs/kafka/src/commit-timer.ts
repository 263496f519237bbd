import type { Logger } from 'pino';

/**
 * Coalesces offset commits: `schedule` asks for one within `intervalMs` (all partitions in one request,
 * whatever finished meanwhile); `flush` commits now, for a stop. A failed commit is logged; what it
 * carried stays committable, so the next one includes it.
 */
export class CommitTimer {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly commit: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.commit().catch((err) => this.logger.warn({ err }, 'offset commit failed; will retry'));
    }, this.intervalMs);
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.commit().catch((err) => this.logger.warn({ err }, 'final offset commit failed'));
  }
}
