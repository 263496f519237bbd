/**
 * How the pipeline's consumers fetch: the broker answers once 32 KiB are there or 10 ms have passed.
 * Answering at the first byte (Kafka's default) made a fetch, a produce and their socket writes per
 * handful of records at 1,000 events/s: the per-request cost saturated this 2-core machine and p99
 * queued into seconds. Waiting up to 10 ms per hop costs at most 40 ms end to end when idle (ingest,
 * redaction, router, dispatch). Measured with `node dist/bench/pipeline.bench.js` (docs/operations.md).
 */
export const PIPELINE_FETCH = { minBytes: 32 * 1024, maxWaitTimeInMs: 10 } as const;
