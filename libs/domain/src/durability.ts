/**
 * Durability of the topics: `min.insync.replicas`, the number of in-sync replicas a partition needs to
 * accept an acks=all write (every Hookpost producer writes with acks=all). Without it, a topic has the
 * broker's default, 1: acks=all is then acknowledged by the leader alone whenever the followers have
 * fallen out of sync, and a write acknowledged that way is lost with that broker.
 */

/** The topic-level configuration key. */
export const MIN_INSYNC_REPLICAS = 'min.insync.replicas';

/**
 * The min.insync.replicas for a replication factor: RF - 1, at least 1 and at most 2.
 * - RF 1: 1, nothing else is possible.
 * - RF 2: 1. With 2, every write to a partition stops while either of its brokers is down (each broker
 *   restart of a rolling upgrade stalls the pipeline); with 1, acks=all still waits for the follower
 *   while it is in sync, and only while one broker is down does a write rest on one broker.
 * - RF 3 or more: 2. An acknowledged write is on two brokers, and writes go on with one broker down.
 *   More (3 of 5, say) trades availability for durability: set it explicitly (KAFKA_MIN_INSYNC_REPLICAS).
 */
export function minInsyncReplicas(replicationFactor: number): number {
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new RangeError(`replication factor must be a positive integer, not ${replicationFactor}`);
  }
  return Math.max(1, Math.min(replicationFactor - 1, 2));
}

/**
 * Why a min.insync.replicas cannot be used for a topic with this replication factor (more in-sync replicas
 * than replicas refuses every acks=all write), or null when it can.
 */
export function minInsyncReplicasProblem(
  topic: string,
  replicationFactor: number,
  minInsync: number,
): string | null {
  if (minInsync > replicationFactor) {
    return (
      `${MIN_INSYNC_REPLICAS}=${minInsync} for topic ${topic} with replication factor ${replicationFactor}: ` +
      'every acks=all write would be refused (NOT_ENOUGH_REPLICAS); it can be at most the replication factor'
    );
  }
  return null;
}

/**
 * The topic-level configuration to write for `minInsync`, given the topic's present overrides (its
 * configuration entries set on the topic itself, not the broker's defaults). Kafka's AlterConfigs
 * replaces all of a topic's overrides, so the answer holds every one of them, with min.insync.replicas
 * set; null when min.insync.replicas already is set to that value on the topic.
 */
export function withMinInsyncReplicas(
  overrides: Readonly<Record<string, string>>,
  minInsync: number,
): Record<string, string> | null {
  const value = String(minInsync);
  if (overrides[MIN_INSYNC_REPLICAS] === value) return null;
  return { ...overrides, [MIN_INSYNC_REPLICAS]: value };
}
