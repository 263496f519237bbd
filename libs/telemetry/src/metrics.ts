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
    deliveries: m.createCounter('hookpost.deliveries', {
      description: 'Webhook POST attempts by outcome (delivered, rejected, failed) and error class',
    }),
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
    produced: m.createCounter('hookpost.records.produced', {
      description: 'Kafka records produced, by topic (rejected inputs and dead letters included)',
    }),
    rejected: m.createCounter('hookpost.rejected', {
      description: 'Inputs refused to a rejected topic, by the topic they came from',
    }),
  };
}

export function hookpostMetrics() {
  instruments ??= create();
  return instruments;
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
