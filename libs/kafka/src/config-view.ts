import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { observeGauge } from '@hookpost/telemetry';
import { configRecordSchema, decodeJson } from '@hookpost/contracts';
import { applyConfigRecord, emptyConfigState, type ConfigState } from '@hookpost/domain';
import { ConsumerLoop } from './consumer-loop';
import { PROMPT_FETCH } from './fetch';

/**
 * The whole of `webhook.config`, held in memory and kept current. Each instance reads every partition
 * from the beginning under a group of its own (kafkajs has no manual assignment) and never commits.
 * Ready once it has applied everything that was in the topic when it started. A dead view would serve
 * stale configuration forever: the service exits instead (ConsumerLoop's default).
 */
export class ConfigView {
  readonly state: ConfigState = emptyConfigState();
  private readonly loop: ConsumerLoop;
  private readonly applied = new Map<number, bigint>();
  private targets = new Map<number, bigint>();
  private lastAppliedAt = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    groupPrefix: string,
    private readonly logger: Logger,
  ) {
    this.loop = new ConsumerLoop({
      kafka,
      groupId: `${groupPrefix}-config-view-${hostname()}-${randomUUID().slice(0, 8)}`,
      topics: [topic],
      logger,
      fetch: PROMPT_FETCH,
    });
    observeGauge(
      'hookpost.config_view.age',
      'Seconds since the in-memory configuration view last applied a change from webhook.config',
      () => this.ageMs / 1000,
      's',
    );
    observeGauge(
      'hookpost.config_view.caught_up',
      '1 once the view has read webhook.config to its end',
      () => (this.caughtUp ? 1 : 0),
    );
  }

  get caughtUp(): boolean {
    for (const [partition, target] of this.targets) {
      const done = this.applied.get(partition);
      if (done === undefined || done + 1n < target) return false;
    }
    return true;
  }

  /** Offsets applied per partition (next to read), for readiness reports and tests. */
  get appliedOffsets(): Record<string, string> {
    return Object.fromEntries([...this.applied].map(([p, o]) => [String(p), (o + 1n).toString()]));
  }

  /** Milliseconds since the view last changed (0 before any change). */
  get ageMs(): number {
    return this.lastAppliedAt === 0 ? 0 : Date.now() - this.lastAppliedAt;
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(this.topic);
      this.targets = new Map(
        offsets.filter((o) => BigInt(o.high) > BigInt(o.low)).map((o) => [o.partition, BigInt(o.high)]),
      );
    } finally {
      await admin.disconnect();
    }
    await this.loop.start((payload) => this.apply(payload));
  }

  private async apply({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const key = message.key?.toString('utf8') ?? '';
      if (message.value === null) {
        applyConfigRecord(this.state, key, null);
      } else {
        const decoded = decodeJson(configRecordSchema, message.value);
        if (decoded.ok) applyConfigRecord(this.state, key, decoded.value);
        else
          this.logger.error(
            { key, offset: message.offset, reason: decoded.reason },
            'bad config record skipped',
          );
      }
      this.applied.set(batch.partition, BigInt(message.offset));
      resolveOffset(message.offset);
    }
    this.lastAppliedAt = Date.now();
    await heartbeat();
  }

  /** Resolves once everything that was in the topic at start has been applied. */
  async waitCaughtUp(pollMs = 50): Promise<void> {
    while (!this.caughtUp) await new Promise((r) => setTimeout(r, pollMs));
  }

  /** Leaves the topic (it commits nothing: each view reads from the beginning). */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
