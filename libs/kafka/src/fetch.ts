/**
 * How the pipeline's consumers fetch: the broker answers once 16 KiB are there or 25 ms have passed.
 * Answering at the first byte (Kafka's default) made a fetch, a produce and their socket writes per
 * handful of records at 1,000 events/s: the per-request cost saturated this 2-core machine and p99
 * queued into seconds. Waiting costs at most 25 ms per hop when traffic is low (ingest, redaction,
 * router, dispatch: 100 ms end to end). A shorter wait polls more when idle: 10 ms took ~60% of a core
 * for the five idle services on this machine, 25 ms ~42%, 100 ms ~34%. Measured with
 * `node dist/bench/pipeline.bench.js` (docs/operations.md).
 */
export const PIPELINE_FETCH = { minBytes: 16 * 1024, maxWaitTimeInMs: 25 } as const;
