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

interface Row {
  attributes: Attributes;
  value: number;
}

/**
 * Values kept in the process, one row per attribute set, read by an observable instrument at collection
 * time (registered with the first row, once the SDK is up). Updating a row is one Map lookup, where an
 * SDK instrument sorts and hashes the attributes of every call.
 */
class ObservedTable {
  private readonly rows = new Map<string, Row>();

  constructor(
    private readonly kind: 'counter' | 'gauge',
    private readonly name: string,
    private readonly description: string,
  ) {}

  find(key: string): Row | undefined {
    return this.rows.get(key);
  }

  add(key: string, attributes: Attributes): Row {
    if (this.rows.size === 0) this.register();
    const row = { attributes, value: 0 };
    this.rows.set(key, row);
    return row;
  }

  private register(): void {
    const options = { description: this.description, valueType: ValueType.INT };
    const m = meter();
    const instrument =
      this.kind === 'counter'
        ? m.createObservableCounter(this.name, options)
        : m.createObservableGauge(this.name, options);
    instrument.addCallback((result) => {
      for (const { attributes, value } of this.rows.values()) result.observe(value, attributes);
    });
  }
}

const deliveries = new ObservedTable(
  'counter',
  'hookpost.deliveries',
  'Webhook POST attempts by outcome (delivered, rejected, failed) and error class',
);
const produced = new ObservedTable(
  'counter',
  'hookpost.records.produced',
  'Kafka records produced, by topic (rejected inputs and dead letters included)',
);
const rejected = new ObservedTable(
  'counter',
  'hookpost.rejected',
  'Inputs refused to a rejected topic, by the topic they came from',
);
const consumerLag = new ObservedTable(
  'gauge',
  'hookpost.consumer.lag',
  'Messages behind the end of each partition, per topic and consumer group',
);
const retryBacklog = new ObservedTable(
  'gauge',
  'hookpost.retry.backlog',
  'Retry jobs waiting on each delay topic',
);

/** One webhook POST attempt made, by outcome and error class (`none` when delivered). */
export function countDelivery(outcome: string, errorClass: string | null): void {
  const error = errorClass ?? 'none';
  const key = `${outcome}\u0000${error}`;
  (deliveries.find(key) ?? deliveries.add(key, { outcome, error_class: error })).value++;
}

/** One record produced to `topic`; `rejectedFrom` when it is an input refused from that topic. */
export function countProduced(topic: string, rejectedFrom?: string): void {
  (produced.find(topic) ?? produced.add(topic, { topic })).value++;
  if (rejectedFrom !== undefined) {
    (rejected.find(rejectedFrom) ?? rejected.add(rejectedFrom, { source_topic: rejectedFrom })).value++;
  }
}

function setGauge(table: ObservedTable, attributes: Attributes, value: number): void {
  const key = JSON.stringify(attributes);
  (table.find(key) ?? table.add(key, attributes)).value = value;
}

/** A consumer's position after a batch: `highWatermark - next offset` messages are still to read. */
export function reportLag(group: string, topic: string, partition: number, lag: number): void {
  setGauge(consumerLag, { 'messaging.consumer.group.name': group, topic, partition }, Math.max(0, lag));
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
  setGauge(retryBacklog, { topic, partition }, Math.max(0, waiting));
}

/** A gauge read from a component at collection time (deliveries in flight, config view age, ...). */
export function observeGauge(name: string, description: string, read: () => number, unit?: string): void {
  meter()
    .createObservableGauge(name, { description, unit })
    .addCallback((result) => result.observe(read()));
}
