import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/** Keys of up to this many UTF-16 units are encoded into one reused buffer (3 bytes per unit at most). */
const SCRATCH = Buffer.allocUnsafe(3 * 1024);

/**
 * Kafka's murmur2 of a key's UTF-8 bytes, as the Java client and kafkajs compute it, in 32-bit integer
 * arithmetic: kafkajs hashes with 64-bit `Long` objects, several per four bytes of every record's key.
 */
export function murmur2(key: string | Buffer): number {
  if (Buffer.isBuffer(key)) return hashBytes(key, key.length);
  if (key.length * 3 <= SCRATCH.length) return hashBytes(SCRATCH, SCRATCH.write(key, 0, 'utf8'));
  const bytes = Buffer.from(key, 'utf8');
  return hashBytes(bytes, bytes.length);
}

function hashBytes(data: Uint8Array, length: number): number {
  let h = SEED ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2] << 16;
  if (rest >= 2) h ^= data[whole + 1] << 8;
  if (rest >= 1) h = Math.imul(h ^ data[whole], M);
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partitioner of every Hookpost producer: Kafka's default for keyed records (the key's murmur2,
 * made positive, modulo the partition count), so a key lands where the Java client and kafkajs'
 * `DefaultPartitioner` put it, and a delivery's records stay in order on one partition. An explicit
 * partition wins; records without a key go round-robin over the partitions that have a leader. Unlike
 * kafkajs' partitioner it allocates nothing per record.
 */
export const KeyHashPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    if (message.key !== null && message.key !== undefined) {
      return (murmur2(message.key) & 0x7fffffff) % partitions;
    }
    const next = ((counters.get(topic) ?? Math.floor(Math.random() * 0x7fffffff)) + 1) & 0x7fffffff;
    counters.set(topic, next);
    let available = 0;
    for (const p of partitionMetadata) if (p.leader >= 0) available++;
    if (available === 0) return next % partitions;
    let nth = next % available;
    for (const p of partitionMetadata) {
      if (p.leader >= 0 && nth-- === 0) return p.partitionId;
    }
    return next % partitions;
  };
};
