import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { groupName, retryTopicBase, topicName, topicSpecs, TOPICS, type TopicSpec } from './topics';

const DAY_MS = 86_400_000;
const MIN = 60_000;
const DELAYS = [
  { label: '10m', delayMs: 10 * MIN },
  { label: '15m', delayMs: 15 * MIN },
  { label: '30m', delayMs: 30 * MIN },
  { label: '1h', delayMs: 60 * MIN },
  { label: '2h', delayMs: 120 * MIN },
  { label: '4h', delayMs: 240 * MIN },
];
const LABELS = DELAYS.map((d) => d.label);

/** The topics of the design brief's table, written out independently. */
const DESIGN_TOPICS = [
  'mail.events',
  'mail.events.rejected',
  'webhook.events',
  'webhook.events.redacted',
  'webhook.deliveries',
  'webhook.delivery-attempts',
  'webhook.deliveries.dead',
  'webhook.config',
];

function byName(specs: TopicSpec[], name: string): TopicSpec {
  const spec = specs.find((s) => s.name === name);
  assert.ok(spec, `no spec for ${name}`);
  return spec;
}

describe('TOPICS', () => {
  it('given the registry, then it holds exactly the fixed topics of the design', () => {
    assert.deepEqual(Object.values(TOPICS).sort(), [...DESIGN_TOPICS].sort());
  });
});

describe('retryTopicBase / topicName', () => {
  it('given a delay label, then the delay topic is webhook.retry.<label>', () => {
    assert.equal(retryTopicBase('10m'), 'webhook.retry.10m');
  });

  it('given a prefix, then it is prepended as is; given none, then the name is unchanged', () => {
    assert.equal(topicName('eu.', 'webhook.events'), 'eu.webhook.events');
    assert.equal(topicName('', 'webhook.events'), 'webhook.events');
  });

  it('given two prefixes, then their consumer groups differ; given none, then the group is the bare name', () => {
    assert.equal(groupName('eu.', 'hookpost-fan-out'), 'eu.hookpost-fan-out');
    assert.notEqual(groupName('eu.', 'hookpost-fan-out'), groupName('us.', 'hookpost-fan-out'));
    assert.equal(groupName('', 'hookpost-fan-out'), 'hookpost-fan-out');
  });
});

describe('topicSpecs', () => {
  it('given no prefix and the default labels, then every topic of the design and one retry topic per label is there, once', () => {
    const names = topicSpecs('', DELAYS).map((s) => s.name);
    assert.deepEqual(
      [...names].sort(),
      [...DESIGN_TOPICS, ...LABELS.map((l) => `webhook.retry.${l}`)].sort(),
    );
    assert.equal(new Set(names).size, names.length);
  });

  it('given a prefix, then it is applied to every topic', () => {
    const specs = topicSpecs('test-1.', DELAYS);
    for (const spec of specs) assert.ok(spec.name.startsWith('test-1.'), spec.name);
    assert.ok(specs.some((s) => s.name === 'test-1.webhook.retry.4h'));
    assert.ok(specs.some((s) => s.name === 'test-1.webhook.config'));
  });

  it('given a schedule with a custom label, then its retry topic exists with 7 days retention', () => {
    const spec = byName(topicSpecs('', [{ label: '2s', delayMs: 2000 }]), 'webhook.retry.2s');
    assert.equal(spec.config['retention.ms'], String(7 * DAY_MS));
    assert.equal(
      topicSpecs('', [{ label: '2s', delayMs: 2000 }]).filter((s) => s.name.startsWith('webhook.retry.'))
        .length,
      1,
    );
  });

  it('given a delay longer than 7 days, then its topic keeps jobs for three times the delay', () => {
    const spec = byName(topicSpecs('', [{ label: '10d', delayMs: 10 * DAY_MS }]), 'webhook.retry.10d');
    assert.equal(spec.config['retention.ms'], String(30 * DAY_MS));
  });

  it('given the config topic, then it is compacted with a single partition', () => {
    const spec = byName(topicSpecs('', DELAYS, 12), 'webhook.config');
    assert.equal(spec.partitions, 1);
    assert.equal(spec.config['cleanup.policy'], 'compact');
  });

  it('given the delivery-attempts topic (the source of truth), then it is kept a year and not compacted', () => {
    const spec = byName(topicSpecs('', DELAYS), 'webhook.delivery-attempts');
    assert.equal(spec.config['retention.ms'], String(365 * DAY_MS));
    assert.equal(spec.config['cleanup.policy'], undefined);
    for (const other of topicSpecs('', DELAYS)) {
      const retention = Number(other.config['retention.ms'] ?? 0);
      assert.ok(retention <= 365 * DAY_MS, other.name);
    }
  });

  it('given a partition count, then every topic but the config topic uses it', () => {
    for (const spec of topicSpecs('', DELAYS, 12)) {
      assert.equal(spec.partitions, spec.name === 'webhook.config' ? 1 : 12, spec.name);
    }
    for (const spec of topicSpecs('', DELAYS)) assert.ok(spec.partitions >= 1);
  });

  it('given the dead-letter and rejected topics, then they keep messages long enough for operators', () => {
    const specs = topicSpecs('', DELAYS);
    assert.equal(byName(specs, 'webhook.deliveries.dead').config['retention.ms'], String(90 * DAY_MS));
    assert.equal(byName(specs, 'mail.events.rejected').config['retention.ms'], String(30 * DAY_MS));
  });
});
