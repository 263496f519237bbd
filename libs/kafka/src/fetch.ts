/**
 * How the pipeline's consumers fetch: the broker answers once 16 KiB are there or 25 ms have passed.
 * Answering at the first byte (Kafka's default) made a fetch, a produce and their socket writes per
 * handful of records at 1,000 events/s: the per-request cost saturated this 2-core machine and p99
 * queued into seconds. Waiting costs at most 25 ms per hop when traffic is low (ingest, redaction,
 * router, dispatch: 100 ms end to end). A shorter wait polls more when idle: 10 ms took ~60% of a core
 * for the five idle services on this machine, 25 ms ~42%, 100 ms ~34%. Measured with
 * `node dist/bench/pipeline.bench.js` (docs/operations.md).
 *
 * At most 128 KiB per partition and 512 KiB per fetch (kafkajs: 1 MiB and 10 MiB): a fetch response is
 * one buffer that its messages are views of, held until the last of them is handled (or copied), and a
 * transform produces as much again. Behind a backlog, 1 MiB per partition made fetches of 6 MiB: fan-out
 * held them while thousands of messages waited for a slot, and ingest and redaction allocated several
 * times each fetch outside the heap (its socket chunks, the response, the produce requests), which V8
 * frees only with the objects that point at it. 512 KiB is still ~200 events of 2.4 KiB per fetch, a
 * fetch per 40 ms at 5,000 events/s.
 */
export const PIPELINE_FETCH = {
  minBytes: 16 * 1024,
  maxWaitTimeInMs: 25,
  maxBytesPerPartition: 128 * 1024,
  maxBytes: 512 * 1024,
} as const;

/**
 * How fan-out fetches events: PIPELINE_FETCH's pacing, at most 32 KiB per partition and 128 KiB per fetch.
 * Its messages wait (for their URL's slot) long after they are fetched, and every message of a fetch is
 * decoded at once: with LZ4 a fetch's bytes are a fraction of its records' (the bench's near-identical
 * events compress ~20 times), so 128 KiB per partition put 1,700-2,700 decoded records per partition in
 * memory behind a backlog, 14,000 across six (~50 MB of heap and decompressed buffers, fan-out's RSS peak).
 * Real events compress less: 32 KiB is still ~50 of them per partition per fetch.
 */
export const WAITING_FETCH = {
  ...PIPELINE_FETCH,
  maxBytesPerPartition: 32 * 1024,
  maxBytes: 128 * 1024,
} as const;

/**
 * How consumers off the produce-to-POST path fetch (the failure-log projection, the retry router): the
 * broker answers once 256 KiB are there or 250 ms have passed. At 1,000 attempts/s these read ~2.4 KiB
 * attempt events a few at a time with PIPELINE_FETCH or Kafka's default: over 60 fetches/s each, every one
 * a request and a response for the broker and them. A failure shows in the log and a retry is scheduled
 * (minutes ahead) at most a quarter second later.
 */
export const BACKGROUND_FETCH = { minBytes: 256 * 1024, maxWaitTimeInMs: 250 } as const;

/**
 * When the broker answers a fetch: once `minBytes` are there or `maxWaitTimeInMs` have passed; and how
 * much it returns at most (kafkajs' defaults when unset).
 */
export interface FetchPacing {
  minBytes: number;
  maxWaitTimeInMs: number;
  maxBytesPerPartition?: number;
  maxBytes?: number;
}

/**
 * How consumers of a few small records fetch (the config view, the delay topics, one-off reads): the
 * broker answers at the first record, or after 100 ms. A delay topic's partition resumed when its head
 * is due is read again within 100 ms.
 */
export const PROMPT_FETCH = { minBytes: 1, maxWaitTimeInMs: 100 } as const;
