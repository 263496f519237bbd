import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { pino, type Logger } from 'pino';
import { ConsumerLoop } from './consumer-loop';
import { PROMPT_FETCH } from './fetch';

export interface ReadSinceOptions {
  /** How long the read may take before it fails (default 60 s). */
  timeoutMs?: number;
  /** Where the consumer's warnings go (default: nowhere). */
  logger?: Logger;
}

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
  { timeoutMs = 60_000, logger = pino({ level: 'silent' }) }: ReadSinceOptions = {},
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
    let finished = (_err?: Error) => undefined as void;
    const done = new Promise<void>((resolve, reject) => {
      finished = (err) => (err ? reject(err) : resolve());
    });
    void done.catch(() => undefined); // a death after the timeout is nobody's to hear
    const loop = new ConsumerLoop({
      kafka,
      groupId,
      topics: [topic],
      logger,
      fetch: PROMPT_FETCH,
      fromBeginning: false,
      die: () => finished(new Error(`reading ${topic} since ${sinceMs}: the consumer died`)),
    });
    try {
      await loop.start(async ({ batch, resolveOffset }) => {
        const end = ends.get(batch.partition) ?? 0n;
        for (const message of batch.messages) {
          if (BigInt(message.offset) < end) onMessage(message);
        }
        resolveOffset(batch.lastOffset());
        if (BigInt(batch.lastOffset()) + 1n >= end && pending.delete(batch.partition) && pending.size === 0) {
          finished();
        }
      });
      for (const { partition, offset } of starts) loop.seek(topic, partition, offset);
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
      await loop.stop();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
