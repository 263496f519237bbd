import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import { Partitioners, type PartitionMetadata } from 'kafkajs';
// kafkajs' own murmur2 (64-bit Long arithmetic), the reference this one must match bit for bit.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (
  key: string | Buffer,
) => number;
import { KeyHashPartitioner, murmur2 } from './partitioner';

const metadata = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    replicas: [0],
    isr: [0],
  }));

describe('murmur2', () => {
  it('given any string (ASCII, multi-byte, astral), when hashed, then equals kafkajs murmur2', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'binary-ascii', maxLength: 200 }),
        ),
        (key) => {
          assert.equal(murmur2(key), kafkajsMurmur2(key));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('given any bytes, when hashed as a Buffer, then equals kafkajs murmur2', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const key = Buffer.from(bytes);
        assert.equal(murmur2(key), kafkajsMurmur2(key));
      }),
      { numRuns: 1000 },
    );
  });

  it('given a key longer than the scratch buffer, when hashed, then equals kafkajs murmur2', () => {
    const key = 'é'.repeat(5000) + 'delivery';
    assert.equal(murmur2(key), kafkajsMurmur2(key));
  });

  it('given lengths 0 to 7, when hashed, then every tail case matches kafkajs', () => {
    for (let n = 0; n < 8; n++)
      assert.equal(murmur2('abcdefg'.slice(0, n)), kafkajsMurmur2('abcdefg'.slice(0, n)));
  });
});

describe('KeyHashPartitioner', () => {
  it('given keyed records, when partitioned, then the partition kafkajs DefaultPartitioner picks', () => {
    const ours = KeyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 64 }), (key, n) => {
        const args = { topic: 't', partitionMetadata: metadata(n), message: { key, value: 'v' } };
        assert.equal(ours(args), theirs(args));
      }),
      { numRuns: 1000 },
    );
  });

  it('given an explicit partition, when partitioned, then that partition', () => {
    const ours = KeyHashPartitioner();
    assert.equal(
      ours({ topic: 't', partitionMetadata: metadata(6), message: { key: 'k', value: 'v', partition: 4 } }),
      4,
    );
  });

  it('given unkeyed records, when partitioned, then round-robin over partitions with a leader only', () => {
    const ours = KeyHashPartitioner();
    const picks = Array.from({ length: 12 }, () =>
      ours({ topic: 't', partitionMetadata: metadata(4, [1]), message: { value: 'v' } }),
    );
    assert.deepEqual(new Set(picks), new Set([0, 2, 3]));
    for (let i = 1; i < picks.length; i++) assert.notEqual(picks[i], picks[i - 1]);
  });

  it('given no partition with a leader, when an unkeyed record is partitioned, then still a partition of the topic', () => {
    const ours = KeyHashPartitioner();
    const p = ours({ topic: 't', partitionMetadata: metadata(3, [0, 1, 2]), message: { value: 'v' } });
    assert.ok(p >= 0 && p < 3);
  });
});
