import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads every record of `topic` written since `sinceMs` (by record timestamp) up to the end the topic had
 * when the call began, then leaves: a throwaway group that commits nothing and is deleted afterwards.
 */
export async function readSince(
  kafka: Kafka,
  topic: string,
  sinceMs: number,
  groupPrefix: string,
  onMessage: (message: KafkaMessage) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `${groupPrefix}-${randomBytes(6).toString('hex')}`;
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    const starts = (await admin.fetchTopicOffsetsByTimestamp(topic, sinceMs)).filter(
      (p) => BigInt(p.offset) < (ends.get(p.partition) ?? 0n),
    );
    if (starts.length === 0) return;
    const pending = new Set(starts.map((p) => p.partition));
    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    await consumer.connect();
    try {
      let finished = () => undefined as void;
      const done = new Promise<void>((resolve) => (finished = resolve));
      await consumer.subscribe({ topics: [topic], fromBeginning: false });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const end = ends.get(batch.partition) ?? 0n;
          for (const message of batch.messages) {
            if (BigInt(message.offset) < end) onMessage(message);
          }
          if (
            BigInt(batch.lastOffset()) + 1n >= end &&
            pending.delete(batch.partition) &&
            pending.size === 0
          ) {
            finished();
          }
        },
      });
      for (const { partition, offset } of starts) consumer.seek({ topic, partition, offset });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`reading ${topic} since ${sinceMs} took over ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([done, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
