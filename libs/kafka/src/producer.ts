import { CompressionTypes, type Kafka, type Message, type Producer } from 'kafkajs';
import { HEADERS } from '@hookpost/contracts';
import { countProduced, startSendSpans } from '@hookpost/telemetry';
import { KeyHashPartitioner } from './partitioner';

export interface OutgoingRecord {
  topic: string;
  message: Message;
}

interface Pending {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * An idempotent, acks=all producer that coalesces concurrent sends into one request at a time:
 * many deliveries in flight each produce an attempt event, and those go out together.
 * `send` resolves only once the broker acknowledged the records.
 *
 * The first request waits for the end of the current turn of the event loop (`setImmediate`): the
 * batches of one fetch, which kafkajs hands to `eachBatch` together, then go in one produce request
 * instead of one for the first partition and another for the rest (half the produce requests of
 * ingest and redaction at 1,000 events/s).
 */
export class BatchingProducer {
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private flushing = false;

  private readonly compression: CompressionTypes;

  /** `codec`: how each batch is compressed (the codecs are registered by createKafka). */
  constructor(kafka: Kafka, codec: ProduceCodec = 'lz4') {
    this.compression = CODECS[codec];
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: KeyHashPartitioner,
      // An idempotent producer keeps retrying rather than give up on a record (kafkajs' advice for EoS);
      // callers wait, and nothing is committed before the broker acknowledged.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async disconnect(): Promise<void> {
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 10));
    await this.producer.disconnect();
  }

  /** Sends the records (each in its own `send` span, whose context its headers then carry). */
  send(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const spans = startSendSpans(records);
    countRecords(records);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        records,
        resolve: () => {
          spans.end();
          resolve();
        },
        reject: (err) => {
          spans.end(err);
          reject(err);
        },
      });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        for (const chunk of chunkRecords(batch.flatMap((p) => p.records))) {
          await this.producer.sendBatch({
            acks: -1,
            compression: this.compression,
            topicMessages: byTopic(chunk),
          });
        }
        for (const pending of batch) pending.resolve();
      } catch (err) {
        for (const pending of batch) pending.reject(err);
      }
    }
    this.flushing = false;
  }
}

function countRecords(records: OutgoingRecord[]): void {
  for (const { topic, message } of records) {
    const headers = message.headers;
    const rejected = headers?.[HEADERS.rejectReason] !== undefined;
    countProduced(topic, rejected ? String(headers?.[HEADERS.sourceTopic] ?? 'unknown') : undefined);
  }
}

export type ProduceCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

const CODECS: Record<ProduceCodec, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** Bytes per produce request: well under the broker's default message.max.bytes (1 MiB) per batch. */
export const MAX_REQUEST_BYTES = 768 * 1024;
export const MAX_REQUEST_RECORDS = 2000;

const bytesOf = (v: unknown): number =>
  typeof v === 'string' ? Buffer.byteLength(v) : Buffer.isBuffer(v) ? v.length : 0;

function sizeOf(message: Message): number {
  let headers = 0;
  const all = message.headers;
  if (all) for (const name in all) headers += name.length + bytesOf(all[name]);
  return bytesOf(message.key) + bytesOf(message.value) + headers + 64;
}

/** Record batch header (v2: base offset, length, epoch, magic, CRC, attributes, ... record count). */
const BATCH_OVERHEAD = 61;
/** A record's varints at their widest: length, timestamp delta (varlong), offset delta, key and value lengths, header count. */
const RECORD_OVERHEAD = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_OVERHEAD = 10;

const headerValueBytes = (v: unknown): number =>
  Array.isArray(v)
    ? v.reduce((n: number, x) => n + bytesOf(x) + HEADER_OVERHEAD, 0)
    : bytesOf(v) + HEADER_OVERHEAD;

/**
 * At most the bytes of a record batch holding only this message, uncompressed, as the broker measures it
 * against the topic's `max.message.bytes` (MESSAGE_TOO_LARGE past it). A record over it can never be
 * produced: an idempotent producer retries it forever and the consumer that made it dies, reads it again
 * and makes it again. Check before producing (`topicMaxMessageBytes` learns the limits).
 */
export function recordBatchBytes(message: Message): number {
  let headers = 0;
  const all = message.headers;
  if (all) for (const name in all) headers += Buffer.byteLength(name) + headerValueBytes(all[name]);
  return BATCH_OVERHEAD + RECORD_OVERHEAD + bytesOf(message.key) + bytesOf(message.value) + headers;
}

/**
 * Splits records into produce requests of at most `maxBytes` (a single larger record goes alone) and
 * `maxRecords`, keeping their order.
 */
export function chunkRecords(
  records: OutgoingRecord[],
  maxBytes = MAX_REQUEST_BYTES,
  maxRecords = MAX_REQUEST_RECORDS,
): OutgoingRecord[][] {
  const chunks: OutgoingRecord[][] = [];
  let current: OutgoingRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = sizeOf(record.message);
    if (current.length > 0 && (bytes + size > maxBytes || current.length >= maxRecords)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function byTopic(records: OutgoingRecord[]): Array<{ topic: string; messages: Message[] }> {
  const map = new Map<string, Message[]>();
  for (const { topic, message } of records) {
    const list = map.get(topic);
    if (list) list.push(message);
    else map.set(topic, [message]);
  }
  return [...map].map(([topic, messages]) => ({ topic, messages }));
}
