import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Logger } from 'pino';
import { HEADERS, SCHEMAS, TOPICS, type KafkaNames } from '@hookpost/contracts';
import { BatchingProducer } from '@hookpost/kafka';
import { ENV, LOGGER, NAMES } from '@hookpost/runtime';
import type { ConfigEnv } from '../env';

/** Arbitrary constant: only one replica relays at a time, so records keep their commit order. */
const RELAY_LOCK = 0x686f6f6b;
const BATCH = 500;

/** Moves outbox rows to the compacted `webhook.config` topic, in order, at least once. */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly topic: string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(BatchingProducer) private readonly producer: BatchingProducer,
    @Inject(ENV) private readonly env: ConfigEnv,
    @Inject(NAMES) { topic }: KafkaNames,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.topic = topic(TOPICS.config);
  }

  onApplicationBootstrap() {
    this.kick();
  }

  async beforeApplicationShutdown() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Relay now (called after a config write commits); otherwise the poll picks it up. */
  kick(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain()
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'outbox relay failed; will retry'))
      .finally(() => {
        this.running = null;
        if (!this.stopped) this.timer = setTimeout(() => this.kick(), this.env.OUTBOX_POLL_MS);
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped && (await this.relayBatch()) === BATCH);
  }

  private relayBatch(): Promise<number> {
    return this.db.transaction(async (m) => {
      const [{ locked }] = await m.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [RELAY_LOCK]);
      if (!locked) return 0;
      const rows: Array<{ id: string; key: string; value: unknown }> = await m.query(
        'SELECT id, key, value FROM outbox ORDER BY id LIMIT $1',
        [BATCH],
      );
      if (rows.length === 0) return 0;
      await this.producer.send(
        rows.map((r) => ({
          topic: this.topic,
          message: {
            key: r.key,
            value: r.value === null ? null : JSON.stringify(r.value),
            headers: { [HEADERS.schema]: SCHEMAS.configRecord },
          },
        })),
      );
      await m.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id)]);
      return rows.length;
    });
  }
}
