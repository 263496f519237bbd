import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type DataPoint } from '@opentelemetry/sdk-metrics';
import { countDelivery, countProduced } from './metrics';

/** A reader collected on demand: the SDK's own pipeline, read in-process. */
class OnDemandReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const reader = new OnDemandReader();
const provider = new MeterProvider({ readers: [reader] });

async function points(name: string): Promise<Array<DataPoint<number>>> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .find((m) => m.descriptor.name === name);
  return (found?.dataPoints ?? []) as Array<DataPoint<number>>;
}

const valueOf = (list: Array<DataPoint<number>>, attributes: Record<string, string>) =>
  list.find((p) => JSON.stringify(p.attributes) === JSON.stringify(attributes))?.value;

describe('tallied counters', () => {
  beforeAll(() => {
    metrics.setGlobalMeterProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    metrics.disable();
  });

  it('given deliveries counted, when collected, then one cumulative point per outcome and error class', async () => {
    countDelivery('delivered', null);
    countDelivery('delivered', null);
    countDelivery('failed', 'timeout');
    let list = await points('hookpost.deliveries');
    assert.equal(valueOf(list, { outcome: 'delivered', error_class: 'none' }), 2);
    assert.equal(valueOf(list, { outcome: 'failed', error_class: 'timeout' }), 1);
    countDelivery('failed', 'timeout');
    list = await points('hookpost.deliveries');
    assert.equal(valueOf(list, { outcome: 'failed', error_class: 'timeout' }), 2);
    assert.equal(list.length, 2);
  });

  it('given records produced, some rejected inputs, when collected, then counts by topic and by source topic', async () => {
    countProduced('webhook.events');
    countProduced('mail.events.rejected', 'mail.events');
    countProduced('mail.events.rejected', 'mail.events');
    const produced = await points('hookpost.records.produced');
    assert.equal(valueOf(produced, { topic: 'webhook.events' }), 1);
    assert.equal(valueOf(produced, { topic: 'mail.events.rejected' }), 2);
    assert.equal(valueOf(await points('hookpost.rejected'), { source_topic: 'mail.events' }), 2);
  });
});
