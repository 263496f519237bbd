/**
 * `npm run failure-log:rebuild`: replays `webhook.delivery-attempts` from offset 0 into a fresh table and
 * swaps it in for the failure log (see rebuilder.ts and docs/operations.md). Safe while the failure-log
 * service (the live projection) runs. Reads its KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, KAFKA_SSL /
 * KAFKA_SASL_* and DATABASE_URL; prints the figures as one JSON line last.
 */
// First, before kafkajs loads (libs/kafka/src/preload.ts).
import '@hookpost/kafka/preload';
import { z } from 'zod';
import { Pool } from 'pg';
import { groupName, TOPICS, topicName } from '@hookpost/contracts';
// From its own file (see ../projection.ts): a tool, not a Nest service.
import { runTool, toolEnvShape } from '@hookpost/runtime/tool';
import { FAILURE_LOG_GROUP } from '../store';
import { rebuildFailureLog } from './rebuilder';

const rebuildEnvShape = {
  ...toolEnvShape,
  REBUILD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  REBUILD_CONSUMERS: z.coerce.number().int().min(1).max(16).default(2),
  /** Worker threads decoding the bulk load (default: the CPUs, at most 4). */
  REBUILD_DECODERS: z.coerce.number().int().min(1).max(32).optional(),
};

runTool('failure-log-rebuild', rebuildEnvShape, async (env, kafka, logger) => {
  // A crash mid-replay loses nothing worth waiting for a WAL flush per batch: the rebuild just fails.
  const pool = new Pool({
    connectionString: env.DATABASE_URL,
    max: env.REBUILD_CONCURRENCY + 1,
    options: '-c synchronous_commit=off',
  });
  try {
    const result = await rebuildFailureLog({
      kafka,
      pool,
      topic: topicName(env.KAFKA_TOPIC_PREFIX, TOPICS.deliveryAttempts),
      groupBase: groupName(env.KAFKA_TOPIC_PREFIX, `${FAILURE_LOG_GROUP}-rebuild`),
      logger,
      concurrency: env.REBUILD_CONCURRENCY,
      members: env.REBUILD_CONSUMERS,
      decoders: env.REBUILD_DECODERS,
    });
    process.stderr.write(
      `failure log rebuilt: ${result.rows} rows from ${result.attempts} attempts in ${result.seconds.toFixed(1)} s ` +
        `(${result.attempts_per_s} attempts/s; live writes held ${result.locked_ms} ms)\n`,
    );
    process.stdout.write(`${JSON.stringify({ rebuild: 'failure-log', ...result })}\n`);
  } finally {
    await pool.end();
  }
});
