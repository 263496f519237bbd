import { EventEmitter } from 'node:events';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';

/** What the loop asked of the consumer, in order: `commit t:0@5`, `pause t`, `seek t:0@3`, `disconnect`. */
export type ConsumerCall = string;

/**
 * A kafkajs consumer whose batches the test hands over one at a time (`deliver`), recording what the code
 * under test asks of it. For unit tests of the consumer loops' own logic (their stop above all); against
 * the broker they are tested in test/e2e/consumer-stop.
 */
export class ScriptedConsumer {
  readonly calls: ConsumerCall[] = [];
  readonly events = { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash' };
  /** Offsets resolved per `topic:partition` (the last one). */
  readonly resolved = new Map<string, string>();
  private readonly emitter = new EventEmitter();
  private eachBatch: ((payload: EachBatchPayload) => Promise<void>) | null = null;
  private readonly paused = new Set<string>();
  private running = false;

  /** A Kafka client whose `consumer()` is this one. */
  get kafka(): Kafka {
    return { consumer: () => this } as unknown as Kafka;
  }

  on(event: string, listener: (...args: unknown[]) => void): void {
    this.emitter.on(event, listener);
  }

  /** Announces a new generation of the group, as kafkajs does after a rebalance. */
  joinGroup(): void {
    this.emitter.emit(this.events.GROUP_JOIN, {});
  }

  async connect(): Promise<void> {
    this.calls.push('connect');
  }

  async subscribe(): Promise<void> {}

  async run(config: { eachBatch: (payload: EachBatchPayload) => Promise<void> }): Promise<void> {
    this.eachBatch = config.eachBatch;
    this.running = true;
  }

  pause(topics: Array<{ topic: string; partitions?: number[] }>): void {
    for (const { topic, partitions } of topics) {
      if (partitions) for (const p of partitions) this.paused.add(`${topic}:${p}`);
      else this.paused.add(topic);
      this.calls.push(`pause ${partitions ? partitions.map((p) => `${topic}:${p}`).join(',') : topic}`);
    }
  }

  /** Lets batches of a paused topic through again (as a batch fetched before the pause would be). */
  unpause(topic: string): void {
    this.paused.delete(topic);
  }

  seek({ topic, partition, offset }: { topic: string; partition: number; offset: string }): void {
    this.calls.push(`seek ${topic}:${partition}@${offset}`);
  }

  async commitOffsets(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void> {
    this.calls.push(`commit ${offsets.map((o) => `${o.topic}:${o.partition}@${o.offset}`).join(',')}`);
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.calls.push('disconnect');
  }

  isPaused(topic: string, partition: number): boolean {
    return this.paused.has(topic) || this.paused.has(`${topic}:${partition}`);
  }

  /**
   * Hands a batch of `values` (offsets from `firstOffset` on) to the consumer, as kafkajs does unless the
   * partition is paused or the consumer stopped (then it is dropped: false). Resolves when the batch ends.
   */
  async deliver(
    topic: string,
    partition: number,
    firstOffset: number,
    values: string[],
    highWatermark = firstOffset + values.length,
  ): Promise<boolean> {
    if (!this.eachBatch || !this.running || this.isPaused(topic, partition)) return false;
    const messages = values.map(
      (value, i) =>
        ({
          offset: String(firstOffset + i),
          key: null,
          value: Buffer.from(value),
          headers: {},
          timestamp: '0',
          attributes: 0,
        }) as KafkaMessage,
    );
    const key = `${topic}:${partition}`;
    await this.eachBatch({
      batch: {
        topic,
        partition,
        messages,
        highWatermark: String(highWatermark),
        lastOffset: () => messages[messages.length - 1]?.offset ?? String(firstOffset - 1),
      },
      resolveOffset: (offset: string) => this.resolved.set(key, offset),
      heartbeat: async () => undefined,
      pause: () => {
        this.pause([{ topic, partitions: [partition] }]);
        return () => {
          this.paused.delete(key);
          this.calls.push(`resume ${key}`);
        };
      },
      isRunning: () => this.running,
      isStale: () => false,
    } as unknown as EachBatchPayload);
    return true;
  }
}
