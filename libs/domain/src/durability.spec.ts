import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { minInsyncReplicas, minInsyncReplicasProblem, withMinInsyncReplicas } from './durability';

describe('minInsyncReplicas', () => {
  it('given replication factors 1 to 6, then 1, 1, 2, 2, 2, 2 (RF - 1, at least 1, at most 2)', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(minInsyncReplicas), [1, 1, 2, 2, 2, 2]);
  });

  it('given a replication factor that is not a positive integer, then it refuses it', () => {
    for (const rf of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => minInsyncReplicas(rf), /replication factor must be a positive integer/);
    }
  });
});

describe('minInsyncReplicasProblem', () => {
  it('given at most the replication factor, then none', () => {
    assert.equal(minInsyncReplicasProblem('t', 3, 3), null);
    assert.equal(minInsyncReplicasProblem('t', 1, 1), null);
  });

  it('given more than the replication factor, then the topic, both numbers and the consequence', () => {
    assert.match(
      minInsyncReplicasProblem('mail.events', 1, 2) ?? '',
      /min\.insync\.replicas=2 for topic mail\.events with replication factor 1: every acks=all write would be refused/,
    );
  });
});

describe('withMinInsyncReplicas', () => {
  it('given a topic without the setting, then its overrides with it added', () => {
    assert.deepEqual(withMinInsyncReplicas({ 'retention.ms': '100' }, 2), {
      'retention.ms': '100',
      'min.insync.replicas': '2',
    });
  });

  it('given another value on the topic, then every override kept and the value replaced', () => {
    assert.deepEqual(withMinInsyncReplicas({ 'cleanup.policy': 'compact', 'min.insync.replicas': '1' }, 2), {
      'cleanup.policy': 'compact',
      'min.insync.replicas': '2',
    });
  });

  it('given the same value on the topic, then nothing to write', () => {
    assert.equal(withMinInsyncReplicas({ 'min.insync.replicas': '2', 'retention.ms': '1' }, 2), null);
  });
});
