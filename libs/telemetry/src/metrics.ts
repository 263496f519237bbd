import { metrics, ValueType, type Attributes } from '@opentelemetry/api';

/**
 * Hookpost's own metrics (OpenTelemetry instruments; exported over OTLP when configured and served at
 * /metrics for Prometheus). Names and meanings are listed in docs/operations.md.
 */
const meter = () => metrics.getMeter('hookpost');

let instruments: ReturnType<typeof create> | null = null;

function create() {
  const m = meter();
  return {
    deliveryDuration: m.createHistogram('hookpost.delivery.duration', {
      description: 'Time from connect to the last byte of a webhook POST',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000] },
    }),
    deliveryDelay: m.createHistogram('hookpost.delivery.delay', {
      description: 'Time from a delivery being due (made, or its retry due) to its POST starting',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000] },
    }),
  };
}

export function hookpostMetrics() {
  instruments ??= create();
  return instruments;
}

/**
 * A counter tallied in the process and read by an observable counter at collection: `add` on a hot
 * path is one Map lookup, where an SDK counter sorts and hashes the attributes of every call.
 */
class Tally {
  private readonly counts = new Map<string, { attributes: Attributes; value: number }>();
  private registered = false;

  constructor(
    private readonly name: string,
    private readonly description: string,
    private readonly keys: readonly [string] | readonly [string, string],
  ) {}

  add(first: string, second = ''): void {
    if (!this.registered) this.register();
    const key = this.keys.length === 1 ? first : `${first}\u0000${second}`;
    const entry = this.counts.get(key);
    if (entry) {
      entry.value++;
      return;
    }
    const attributes: Attributes = { [this.keys[0]]: first };
    if (this.keys.length === 2) attributes[this.keys[1]] = second;
    this.counts.set(key, { attributes, value: 1 });
  }

  private register(): void {
    this.registered = true;
    meter()
      .createObservableCounter(this.name, { description: this.description, valueType: ValueType.INT })
      .addCallback((result) => {
        for (const { attributes, value } of this.counts.values()) result.observe(value, attributes);
      });
  }
}

const deliveries = new Tally(
  'hookpost.deliveries',
  'Webhook POST attempts by outcome (delivered, rejected, failed) and error class',
  ['outcome', 'error_class'],
);
const produced = new Tally(
  'hookpost.records.produced',
  'Kafka records produced, by topic (rejected inputs and dead letters included)',
  ['topic'],
);
const rejected = new Tally(
  'hookpost.rejected',
  'Inputs refused to a rejected topic, by the topic they came from',
  ['source_topic'],
);

/** One webhook POST attempt made, by outcome and error class (`none` when delivered). */
export function countDelivery(outcome: string, errorClass: string | null): void {
  deliveries.add(outcome, errorClass ?? 'none');
}

/** One record produced to `topic`; `rejectedFrom` when it is an input refused from that topic. */
export function countProduced(topic: string, rejectedFrom?: string): void {
  produced.add(topic);
  if (rejectedFrom !== undefined) rejected.add(rejectedFrom);
}

/** Latest values reported by components, read by observable gauges at collection time. */
class GaugeTable {
  private readonly values = new Map<string, { attributes: Attributes; value: number }>();
  set(attributes: Attributes, value: number): void {
    this.values.set(JSON.stringify(attributes), { attributes, value });
  }
  entries() {
    return this.values.values();
  }
}

const consumerLag = new GaugeTable();
const retryBacklog = new GaugeTable();
let registered = false;

function registerObservables(): void {
  if (registered) return;
  registered = true;
  const m = meter();
  m.createObservableGauge('hookpost.consumer.lag', {
    description: 'Messages behind the end of each partition, per topic and consumer group',
    valueType: ValueType.INT,
  }).addCallback((result) => {
    for (const { attributes, value } of consumerLag.entries()) result.observe(value, attributes);
  });
  m.createObservableGauge('hookpost.retry.backlog', {
    description: 'Retry jobs waiting on each delay topic',
    valueType: ValueType.INT,
  }).addCallback((result) => {
    for (const { attributes, value } of retryBacklog.entries()) result.observe(value, attributes);
  });
}

/** A consumer's position after a batch: `highWatermark - next offset` messages are still to read. */
export function reportLag(group: string, topic: string, partition: number, lag: number): void {
  registerObservables();
  consumerLag.set({ 'messaging.consumer.group.name': group, topic, partition }, Math.max(0, lag));
}

/** The lag after a whole batch was handled: everything up to its last offset is done. */
export function reportBatchLag(
  group: string,
  batch: { topic: string; partition: number; highWatermark: string; lastOffset(): string },
): void {
  reportLag(
    group,
    batch.topic,
    batch.partition,
    Number(batch.highWatermark) - Number(batch.lastOffset()) - 1,
  );
}

/** Jobs waiting on a delay topic's partition (from the paused head to the end). */
export function reportRetryBacklog(topic: string, partition: number, waiting: number): void {
  registerObservables();
  retryBacklog.set({ topic, partition }, Math.max(0, waiting));
}

/** A gauge read from a component at collection time (deliveries in flight, config view age, ...). */
export function observeGauge(name: string, description: string, read: () => number, unit?: string): void {
  meter()
    .createObservableGauge(name, { description, unit })
    .addCallback((result) => result.observe(read()));
}
